"""`python -m etl backfill NAME --since DATE`: load the past versions of a source whose history lives in git.

For each file a source declares in `SOURCE.history` (GitHub repository, path, payload name), the
GitHub commits API lists the commits that touched it since DATE; each version is then downloaded at
its commit and archived under raw/<source>/<commit time>/ exactly as a live fetch is (one snapshot
per commit, holding every declared file that commit changed, dated by the commit). Versions already
archived are not fetched again, so a backfill is idempotent and an interrupted one resumes where it
stopped. Finally the source is rebuilt from its archive (an offline run of that source), which loads
every archived snapshot, oldest first, as a day of history.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from etl import config, pipeline, sources
from etl.http import Client, FetchError
from etl.provenance import Payload

COMMITS_API = "https://api.github.com/repos/{repo}/commits"
RAW = "https://raw.githubusercontent.com/{repo}/{sha}/{path}"
PER_PAGE = 100
MAX_PAGES = 20  # 2,000 commits a file: far more than any source's history; a runaway stops here
TOKEN_VAR = "GITHUB_TOKEN"  # optional: 5,000 API calls an hour instead of 60


@dataclass(frozen=True)
class Version:
    """One commit of a source's history: when, which commit, and the declared files it changed."""

    when: datetime
    sha: str
    files: tuple[tuple[str, str, str], ...]  # (repo, path, payload name)

    @property
    def stamp(self) -> str:
        return self.when.strftime("%Y-%m-%dT%H%M%S")


def _commit_time(commit: dict) -> datetime:
    """The committer date (when the version landed on the branch), as aware UTC."""
    stamp = commit["commit"]["committer"]["date"]
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC)


def list_commits(client: Client, repo: str, path: str, since: date) -> list[dict]:
    """Every commit touching `path` since `since`, following the API's pages (newest first)."""
    headers = {"Accept": "application/vnd.github+json"}
    token = client.api_key(TOKEN_VAR)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    commits: list[dict] = []
    for page in range(1, MAX_PAGES + 1):
        payload = client.request(COMMITS_API.format(repo=repo), headers=headers, name="commits.json",
                                 params={"path": path, "since": f"{since.isoformat()}T00:00:00Z",
                                         "per_page": PER_PAGE, "page": page})
        batch = payload.json("backfill")
        if not isinstance(batch, list) or any(not isinstance(c, dict) or "sha" not in c for c in batch):
            raise ValueError(f"backfill: the commits API answered {str(batch)[:120]} for {repo}/{path}")
        commits += batch
        if len(batch) < PER_PAGE:
            return commits
    raise FetchError(f"backfill: more than {MAX_PAGES * PER_PAGE} commits touch {repo}/{path}; narrow --since")


def versions(client: Client, history: tuple[tuple[str, str, str], ...], since: date) -> list[Version]:
    """The source's versions since `since`, oldest first, one per commit (files grouped by commit)."""
    by_commit: dict[str, tuple[datetime, list[tuple[str, str, str]]]] = {}
    for repo, path, name in history:
        for commit in list_commits(client, repo, path, since):
            when, files = by_commit.setdefault(commit["sha"], (_commit_time(commit), []))
            files.append((repo, path, name))
    return sorted((Version(when, sha, tuple(files)) for sha, (when, files) in by_commit.items()),
                  key=lambda v: (v.when, v.sha))


def _archived(raw_dir: Path, source: str, version: Version) -> bool:
    """Whether this version's snapshot is already archived whole (its manifest lists every file)."""
    manifest = raw_dir / source / version.stamp / "manifest.json"
    if not manifest.is_file():
        return False
    names = {m["name"] for m in json.loads(manifest.read_text(encoding="utf-8"))}
    return {name for _, _, name in version.files} <= names


def run(name: str, since: date, *, client: Client | None = None, settings: config.Settings | None = None,
        load: bool = True, log=sys.stderr) -> list[Version]:
    """Archive every version of source `name` since `since` not archived yet, then (with `load`)
    rebuild the source from its archive; returns the versions found."""
    module = sources.get(name)
    source = module.SOURCE
    if not source.history:
        with_history = [n for n, s in sources.SOURCES.items() if s.history]
        raise ValueError(f"{name} declares no git history to backfill; sources that do: {', '.join(with_history)}")
    settings = settings or config.get()
    client = client or Client(settings)
    found = versions(client, source.history, since)
    print(f"backfill {name}: {len(found)} version(s) since {since.isoformat()}", file=log, flush=True)
    for i, version in enumerate(found, 1):
        head = f"  [{i}/{len(found)}] {version.when:%Y-%m-%d %H:%M} {version.sha[:8]}"
        if _archived(settings.raw_dir, name, version):
            print(f"{head} already archived", file=log, flush=True)
            continue
        payloads = []
        for repo, path, payload_name in version.files:
            got = client.request(RAW.format(repo=repo, sha=version.sha, path=path), name=payload_name, expect=None)
            payloads.append(Payload(got.body, got.url, version.when, payload_name, got.headers))
        pipeline.archive(settings.raw_dir, name, payloads, version.when)
        size = sum(len(p.body) for p in payloads)
        print(f"{head} archived {len(payloads)} file(s), {size:,} bytes", file=log, flush=True)
    if load and found:
        report = pipeline.run([name], mode="offline", client=client, settings=settings, log=log)
        if report.failed:
            raise RuntimeError(f"backfill {name}: loading the archive failed: {report.failed[0].error}")
    return found


def add_parser(sub) -> None:
    """The `backfill` subcommand of `python -m etl`."""
    p = sub.add_parser("backfill", help="load past versions of a source whose history lives in git")
    p.add_argument("name", help="a source that declares SOURCE.history")
    p.add_argument("--since", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD")
    p.set_defaults(func=cmd)


def cmd(args) -> int:
    try:
        run(args.name, args.since)
    except (KeyError, ValueError, FetchError, RuntimeError) as exc:
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2 if isinstance(exc, KeyError | ValueError) else 1
    return 0
