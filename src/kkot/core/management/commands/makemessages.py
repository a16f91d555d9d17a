"""``makemessages`` that also extracts the project's short aliases: ``N_`` (``gettext_noop``), ``_l`` and ``_lazy``
(``gettext_lazy``) and ``_g`` (``gettext``).

Django's own command only knows the full function names, so strings marked with an alias (for example the API's
validation messages in :mod:`kkot.api.errors`) would silently stay out of the catalog.
``kkot.core.tests.test_catalog_sync`` fails when a new alias's strings are missing from the catalog.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [
        *makemessages.Command.xgettext_options,
        *(f"--keyword={alias}" for alias in ("N_", "_l", "_lazy", "_g")),
    ]
