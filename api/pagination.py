"""Every list of the API is a page: `limit` items from `offset`, with the `count` of all."""


def page(items, query, convert):
    """The page of `items` (a queryset, read with COUNT and LIMIT/OFFSET, or a list), each
    item through `convert`."""
    start, stop = query.offset, query.offset + query.limit
    if isinstance(items, list):
        count, chosen = len(items), items[start:stop]
    else:
        count, chosen = items.count(), list(items[start:stop])
    return {
        "count": count,
        "limit": query.limit,
        "offset": query.offset,
        "items": [convert(item) for item in chosen],
    }
