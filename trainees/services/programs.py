"""Creating and changing a program; one transaction."""

from django.db import transaction


@transaction.atomic
def program_save(*, form, user):
    """Create or update a program from its form; whoever saves it stays one of its organizers
    (a superuser need not be one)."""
    program = form.save()
    if not user.is_superuser:
        program.organizers.add(user)
    return program
