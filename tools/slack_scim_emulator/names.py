# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Slack's rules for user names and display names."""

import bisect
import re

MAX_USER_NAME = 21
MAX_DISPLAY_NAME = 80

# Unicode's Extended_Pictographic property (emoji-data.txt), as code point ranges.  The standard
# library has no property lookup, so the ranges are listed here; they cover every emoji and the
# pictographic symbols reserved for future ones.
_PICTOGRAPHIC = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122),
    (0x2139, 0x2139), (0x2194, 0x2199), (0x21A9, 0x21AA), (0x231A, 0x231B), (0x2328, 0x2328),
    (0x2388, 0x2388), (0x23CF, 0x23CF), (0x23E9, 0x23F3), (0x23F8, 0x23FA), (0x24C2, 0x24C2),
    (0x25AA, 0x25AB), (0x25B6, 0x25B6), (0x25C0, 0x25C0), (0x25FB, 0x25FE), (0x2600, 0x2605),
    (0x2607, 0x2612), (0x2614, 0x2685), (0x2690, 0x2705), (0x2708, 0x2712), (0x2714, 0x2714),
    (0x2716, 0x2716), (0x271D, 0x271D), (0x2721, 0x2721), (0x2728, 0x2728), (0x2733, 0x2734),
    (0x2744, 0x2744), (0x2747, 0x2747), (0x274C, 0x274C), (0x274E, 0x274E), (0x2753, 0x2755),
    (0x2757, 0x2757), (0x2763, 0x2767), (0x2795, 0x2797), (0x27A1, 0x27A1), (0x27B0, 0x27B0),
    (0x27BF, 0x27BF), (0x2934, 0x2935), (0x2B05, 0x2B07), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50),
    (0x2B55, 0x2B55), (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299),
    (0x1F000, 0x1F0FF), (0x1F10D, 0x1F10F), (0x1F12F, 0x1F12F), (0x1F16C, 0x1F171),
    (0x1F17E, 0x1F17F), (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A), (0x1F1AD, 0x1F1E5),
    (0x1F201, 0x1F20F), (0x1F21A, 0x1F21A), (0x1F22F, 0x1F22F), (0x1F232, 0x1F23A),
    (0x1F23C, 0x1F23F), (0x1F249, 0x1F3FA), (0x1F400, 0x1F53D), (0x1F546, 0x1F64F),
    (0x1F680, 0x1F6FF), (0x1F774, 0x1F77F), (0x1F7D5, 0x1F7FF), (0x1F80C, 0x1F80F),
    (0x1F848, 0x1F84F), (0x1F85A, 0x1F85F), (0x1F888, 0x1F88F), (0x1F8AE, 0x1F8FF),
    (0x1F90C, 0x1F93A), (0x1F93C, 0x1F945), (0x1F947, 0x1FAFF), (0x1FC00, 0x1FFFD),
)
_STARTS = [bounds[0] for bounds in _PICTOGRAPHIC]
# Slack's emoji codes in text: ":smile:", ":+1:", ":skin-tone-2:".
_SHORTCODE = re.compile(r":[a-z0-9_+'-]+:", re.IGNORECASE)


def is_pictographic(char):
    code = ord(char)
    index = bisect.bisect_right(_STARTS, code) - 1
    return index >= 0 and _PICTOGRAPHIC[index][0] <= code <= _PICTOGRAPHIC[index][1]


def has_emoji(text):
    """True for an Extended_Pictographic character or a ``:shortcode:`` in ``text``."""
    return any(is_pictographic(char) for char in text) or bool(_SHORTCODE.search(text))


def normalise_user_name(value):
    """Slack's rule: lower case; anything but letters, digits, '.', '_' and '-' becomes '_'."""
    return re.sub(r"[^a-z0-9._-]", "_", str(value).strip().lower())


def display_name_error(value):
    """Slack's error string for a display name it refuses, or None."""
    if not isinstance(value, str):
        return "invalid_attribute_format"
    if len(value) > MAX_DISPLAY_NAME:
        return "invalid_name_maxlength"
    if value.startswith("@"):
        return "invalid_starts_with_at"
    if "@" in value:
        return "invalid_name_specials"
    if has_emoji(value):
        return "invalid_emoji_not_allowed"
    return None
