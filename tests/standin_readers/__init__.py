"""A test-only app standing in for readers' data in other apps (the quiz's answers and toolkits).

It points at guide items in each way such an app may: deleting the item deletes the row,
is refused, or only unlinks it; one relation is hidden (``related_name="+"``).
"""
