"""spamguard: anti-spam and auto-moderation for Discord bots.

The library lives in the subpackages: :mod:`spamguard.core` (the pure core, and
``spamguard.core.__version__``), :mod:`spamguard.adapters`, :mod:`spamguard.contrib`,
:mod:`spamguard.testing` and :mod:`spamguard.cli`. ``python -m spamguard`` is the
``spamguard`` command.
"""

# A package of its own rather than a namespace package: ``python -m spamguard`` needs
# spamguard/__main__.py, and in a namespace package pytest's plugin loader (spamguard's
# pytest11 entry point) would then mark ``__main__`` for assertion rewriting and warn in every
# pytest run of a user's project. extend_path lets a source checkout's spamguard/ folder (on
# sys.path as the current directory) still find the installed subpackages.
import pkgutil

__path__ = pkgutil.extend_path(__path__, __name__)
