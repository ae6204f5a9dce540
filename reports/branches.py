"""分局/县局: the branch a trainee counts under, in the score report's summaries by unit
(reports.selectors.report) and the bureau dashboard's units (its summaries' rows per branch).

Walking up from the trainee's unit, it is the highest branch or bureau (Unit.Kind.BRANCH /
BUREAU) below the root of the tree; without one, the root itself. So 常州市公安局 → 金坛分局 →
儒林派出所 counts under 金坛分局, and 溧阳市公安局 → 竹箦派出所, where the county bureau is a
root of its own (as the roster import leaves it), counts under 溧阳市公安局; moved under
常州市公安局, still under 溧阳市公安局. A unit directly under the city bureau (a 支队, a station)
counts under the city bureau. Under a province (Unit.Kind.PROVINCE), each city bureau is the
root of its own units: 江苏省公安厅 → 常州市公安局 → 金坛分局 → 儒林派出所 still counts under
金坛分局.
"""

from trainees.models import Unit

BRANCH_KINDS = {Unit.Kind.BRANCH, Unit.Kind.BUREAU}


def unit_branches(unit_ids):
    """{unit id: (branch id, branch name)} for `unit_ids`, or every unit with None (see the
    module's docstring): one query, the whole tree, which is a city's units, not a class's
    trainees."""
    tree = {
        pk: (parent_id, name, kind)
        for pk, parent_id, name, kind in Unit.objects.values_list("pk", "parent_id", "name", "kind")
    }
    branches = {}
    for unit_id in tree if unit_ids is None else unit_ids:
        path, current = [], unit_id
        while current is not None and current not in path:  # a cycle cannot happen; no hang
            path.append(current)
            current = tree[current][0]
            if current is not None and tree[current][2] == Unit.Kind.PROVINCE:
                break  # a city bureau of a province: the root of its units
        highest = [pk for pk in path[:-1] if tree[pk][2] in BRANCH_KINDS]
        branch = highest[-1] if highest else path[-1]
        branches[unit_id] = (branch, tree[branch][1])
    return branches
