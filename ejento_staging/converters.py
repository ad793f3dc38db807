"""URL converters shared by the pages."""

from ejento_staging.ids import parse_id


class IdConverter:
    """A database id: digits that fit a 64-bit key. A longer number is no id at all - the URL
    does not match (404) instead of overflowing the database driver (500)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError("not an id")
        return number

    def to_url(self, value: int) -> str:
        return str(value)
