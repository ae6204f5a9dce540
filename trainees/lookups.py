"""`in` on an integer column leaves out the numbers the column cannot hold.

Django leaves out such a number in `exact`, `gt`, `lt` … (IntegerFieldOverflow: no row can
match it), not in `in`: a ModelMultipleChoiceField (a program's organizers, the roster's
ticked trainees) posted with a 30-digit id, or any `pk__in=` of ids that came in as text, was
an OverflowError on SQLite, a 500. Registered on IntegerField, so on every id and count.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            internal_type = self.lhs.output_field.get_internal_type()
            low, high = connection.ops.integer_field_range(internal_type)
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
