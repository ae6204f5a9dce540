from trainees.permissions import reads_programs
from trainees.roles import user_roles


def roles(request):
    """The signed-in user's roles, for the navbar: {{ roles.organizer }} and so on, and
    {{ reads_programs }}: whether the program pages are open to them (organizers, the
    leadership of the city bureau or the province; a branch's leadership reads the dashboards
    only). Called by the template, so a page that does not ask costs no query."""
    user = request.user
    roles = user_roles(user)
    return {
        "roles": roles,
        "reads_programs": lambda: roles.organizer or reads_programs(user),
    }
