"""Writes of course materials (教材, 课件). The checks of an uploaded file are in
sessions.materials.
"""

from django.db import transaction


@transaction.atomic
def material_delete(*, material):
    """Remove a material and its file (the file only once the removal has committed)."""
    file = material.file
    material.delete()
    transaction.on_commit(lambda: file.storage.delete(file.name))
