from trainees.roles import user_roles


def roles(request):
    """The signed-in user's roles, for the navbar: {{ roles.organizer }} and so on."""
    return {"roles": user_roles(request.user)}
