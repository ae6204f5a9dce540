from django import template

from trainees.import_errors import error_report as build_error_report

register = template.Library()


@register.simple_tag
def error_report(errors):
    """{% error_report errors as report %}: an import's errors, one line per problem with its
    rows (trainees.import_errors)."""
    return build_error_report(errors)
