"""``kopiena policy export|import|check``: the communication policy as YAML.

* ``export --workspace SLUG [-o FILE]`` prints (or writes) the current policy.
* ``import --workspace SLUG FILE [--author USERNAME] [--summary TEXT]`` saves it as a new version; an
  invalid file is refused with every error listed and nothing changed (exit 1).
* ``check FILE`` lists every error as ``FILE:LINE: field.path: message`` (exit 1 if any); ``-`` is stdin.
* ``versions --workspace SLUG`` lists the saved versions; ``diff --workspace SLUG N [M]`` shows what
  version N changed against M (default: the version before it, or the defaults for version 1).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kopiena.policy.models import PolicyVersion
from kopiena.policy.selectors import policy_diff, policy_export_yaml
from kopiena.policy.services import policy_import_yaml
from kopiena.policy.yaml_io import PolicyError, PolicyInvalid, check_policy
from kopiena.teams.models import User, Workspace


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from exc


def _format(path: str, error: PolicyError) -> str:
    line = f"{error.line}:" if error.line else ""
    return f"{path}:{line} {error.path or '(document)'}: {error.message}"


class Command(BaseCommand):
    help = "Export, import or check the communication policy as YAML."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="print the current policy as YAML")
        export.add_argument("--workspace", required=True, help="workspace slug")
        export.add_argument("-o", "--output", help="write to this file instead of standard output")
        imp = sub.add_parser("import", help="save a YAML file as the next policy version")
        imp.add_argument("--workspace", required=True, help="workspace slug")
        imp.add_argument("file", help="YAML file, or - for standard input")
        imp.add_argument("--author", help="username recorded as the version's author")
        imp.add_argument("--summary", default="", help="what changed and why")
        check = sub.add_parser("check", help="validate a YAML file and list every error")
        check.add_argument("file", help="YAML file, or - for standard input")
        versions = sub.add_parser("versions", help="list the saved versions, newest first")
        versions.add_argument("--workspace", required=True, help="workspace slug")
        diff = sub.add_parser("diff", help="what a version changed")
        diff.add_argument("--workspace", required=True, help="workspace slug")
        diff.add_argument("number", type=int, help="the version to show")
        diff.add_argument("against", type=int, nargs="?", help="compare with this version instead")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _workspace(self, slug: str) -> Workspace:
        workspace = Workspace.objects.filter(slug=slug).first()
        if workspace is None:
            raise CommandError(f"no workspace with slug {slug!r}")
        return workspace

    def _export(self, *, workspace, output=None, **_options):
        text = policy_export_yaml(workspace=self._workspace(workspace))
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"policy written to {output}")
        else:
            self.stdout.write(text, ending="")

    def _import(self, *, workspace, file, author=None, summary="", **_options):
        ws = self._workspace(workspace)
        user = None
        if author:
            user = User.objects.filter(username=author).first()
            if user is None:
                raise CommandError(f"no user {author!r}")
        try:
            version = policy_import_yaml(
                access=None, workspace=ws, text=_read(file), author=user, summary=summary
            )
        except PolicyInvalid as exc:
            for error in exc.errors:
                self.stderr.write(_format(file, error))
            raise CommandError(f"{len(exc.errors)} error(s); nothing was imported") from exc
        self.stdout.write(self.style.SUCCESS(f"saved policy version {version.number}: {version.summary}"))

    def _check(self, *, file, **_options):
        errors = check_policy(_read(file))
        for error in errors:
            self.stdout.write(_format(file, error))
        if errors:
            raise CommandError(f"{len(errors)} error(s)")
        self.stdout.write(self.style.SUCCESS(f"{file}: valid"))

    def _versions(self, *, workspace, **_options):
        for v in PolicyVersion.objects.filter(workspace=self._workspace(workspace)).select_related("author"):
            author = v.author.username if v.author else "system"
            self.stdout.write(f"{v.number}\t{v.created_at:%Y-%m-%d %H:%M}\t{author}\t{v.summary}")

    def _diff(self, *, workspace, number, against=None, **_options):
        versions = PolicyVersion.objects.filter(workspace=self._workspace(workspace)).select_related("author")

        def get(n: int) -> PolicyVersion:
            version = versions.filter(number=n).first()
            if version is None:
                raise CommandError(f"no policy version {n}")
            return version

        newer = get(number)
        # Version 1 is compared with the defaults unless another version is named.
        older = (
            None if against is None and number == 1 else get(against if against is not None else number - 1)
        )
        self.stdout.write(policy_diff(older=older, newer=newer), ending="")
