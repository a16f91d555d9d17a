"""``makemessages`` that also extracts ``N_("...")`` (the project's alias for ``gettext_noop``).

Django's own command only knows the full function names, so strings marked with ``N_`` (for example the API's
validation messages in :mod:`kkot.api.errors`) would silently stay out of the catalog.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
