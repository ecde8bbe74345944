"""Service icons as inline SVG (24×24, drawn in the text colour): no icon font, no CDN."""

from __future__ import annotations

_SHAPES = {
    "water": '<path d="M12 3c-3 4.5-6 7.8-6 11a6 6 0 0 0 12 0c0-3.2-3-6.5-6-11z"/>',
    "charging": '<path d="M13 2 4 14h7l-1 8 9-12h-7z"/>',
    "rest": '<path d="M5 11V7a2 2 0 0 1 2-2h10a2 2 0 0 1 2 2v4"/><path d="M3 11h18v5H3z"/>'
    '<path d="M5 16v3M19 16v3"/>',
    "toilet": '<circle cx="7" cy="4.5" r="1.5"/><circle cx="17" cy="4.5" r="1.5"/>'
    '<path d="M5 8h4v6H8v6H6v-6H5z"/><path d="M17 8l-3 8h6zM16 16v4M18 16v4"/>',
    "storage": '<path d="M3 7l9-4 9 4v10l-9 4-9-4z"/><path d="M3 7l9 4 9-4M12 11v10"/>',
    "first_aid": '<rect x="3" y="3" width="18" height="18" rx="3"/><path d="M12 8v8M8 12h8"/>',
    "raincoat": '<path d="M3 12a9 9 0 0 1 18 0z"/><path d="M12 12v7a2 2 0 0 1-4 0"/>',
    "microwave": '<rect x="2" y="5" width="20" height="14" rx="2"/>'
    '<rect x="5" y="8" width="10" height="8" rx="1"/><path d="M18 9h.01M18 13h.01"/>',
    "books": '<path d="M4 4h6a2 2 0 0 1 2 2v14a2 2 0 0 0-2-2H4z"/>'
    '<path d="M20 4h-6a2 2 0 0 0-2 2v14a2 2 0 0 1 2-2h6z"/>',
    "wifi": '<path d="M2 9a15 15 0 0 1 20 0M5 12.5a10 10 0 0 1 14 0M8.5 16a5 5 0 0 1 7 0"/>'
    '<path d="M12 19.5h.01"/>',
}

SERVICES = tuple(_SHAPES)


def service_icon(service: str) -> str:
    """The SVG of one service (decorative: the caller labels it)."""
    shape = _SHAPES.get(service, '<circle cx="12" cy="12" r="4"/>')
    return (
        '<svg class="gg-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false" '
        'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
        f'stroke-linejoin="round">{shape}</svg>'
    )


def service_icons() -> dict[str, str]:
    return {service: service_icon(service) for service in SERVICES}
