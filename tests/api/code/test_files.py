"""The file tree of a custom agent: templates, reads and writes with optimistic concurrency,
rename and delete, limits, path attacks and text-only content."""

from __future__ import annotations

import asyncio

import pytest

from arkenos_api.settings import Settings
from arkenos_crds.starter import starter_files
from tests.api.code._support import code_url, file_version, put_file, start_code
from tests.api.helpers import Api, Person

pytestmark = pytest.mark.postgres


async def test_new_code_starts_from_the_runtime_starter_template(owner: tuple[Person, str]) -> None:
    person, ws = owner
    tree = await start_code(person, ws, "bot")
    assert sorted(f["path"] for f in tree["files"]) == sorted(starter_files())
    read = await person.get(code_url(ws, "bot", "/files/agent.py"))
    assert read.json()["content"] == starter_files()["agent.py"]
    again = await person.post(code_url(ws, "bot"), json={"template": "starter"})
    assert again.status_code == 409
    assert again.json()["code"] == "code_exists"


async def test_blank_template_has_an_entrypoint(owner: tuple[Person, str]) -> None:
    person, ws = owner
    tree = await start_code(person, ws, "blank-bot", "blank")
    assert {f["path"] for f in tree["files"]} == {"agent.py", "requirements.txt"}
    assert tree["version"] == 1


async def test_a_stale_write_gets_409_and_keeps_the_other_edit(owner: tuple[Person, str]) -> None:
    person, ws = owner
    await start_code(person, ws, "bot2")
    base = await file_version(person, ws, "bot2", "agent.py")
    first = await put_file(person, ws, "bot2", "agent.py", "x = 1\n", base)
    assert first.status_code == 200, first.text
    stale = await put_file(person, ws, "bot2", "agent.py", "x = 2\n", base)
    assert stale.status_code == 409
    assert stale.json()["field"] == "baseVersion"
    content = (await person.get(code_url(ws, "bot2", "/files/agent.py"))).json()["content"]
    assert content == "x = 1\n"


async def test_creating_an_existing_file_without_its_version_is_refused(
    owner: tuple[Person, str],
) -> None:
    person, ws = owner
    await start_code(person, ws, "bot3")
    response = await put_file(person, ws, "bot3", "agent.py", "print(1)\n")
    assert response.status_code == 409
    assert response.json()["code"] == "file_exists"


async def test_concurrent_writes_from_one_version_let_exactly_one_win(
    owner: tuple[Person, str],
) -> None:
    person, ws = owner
    await start_code(person, ws, "racer")
    base = await file_version(person, ws, "racer", "agent.py")
    results = await asyncio.gather(
        *(put_file(person, ws, "racer", "agent.py", f"v = {i}\n", base) for i in range(6))
    )
    assert sorted(r.status_code for r in results) == [200] + [409] * 5
    tree = (await person.get(code_url(ws, "racer"))).json()
    assert tree["version"] == 2


async def test_every_change_is_a_new_version(owner: tuple[Person, str]) -> None:
    person, ws = owner
    tree = await start_code(person, ws, "versions")
    created = await put_file(person, ws, "versions", "lib/tools.py", "def f():\n    return 1\n")
    assert created.status_code == 200, created.text
    assert created.json()["treeVersion"] == tree["version"] + 1
    renamed = await person.post(
        code_url(ws, "versions", "/rename"),
        json={
            "from": "lib/tools.py",
            "to": "lib/helpers.py",
            "baseVersion": created.json()["version"],
        },
    )
    assert renamed.status_code == 200, renamed.text
    assert "lib/helpers.py" in {f["path"] for f in renamed.json()["files"]}
    assert "lib/tools.py" not in {f["path"] for f in renamed.json()["files"]}
    deleted = await person.delete(
        code_url(ws, "versions", "/files/lib/helpers.py"),
        params={"baseVersion": created.json()["version"]},
    )
    assert deleted.status_code == 204
    final = (await person.get(code_url(ws, "versions"))).json()
    assert final["version"] == tree["version"] + 3
    assert {f["path"] for f in final["files"]} == {f["path"] for f in tree["files"]}


async def test_same_content_again_adds_no_version(owner: tuple[Person, str]) -> None:
    person, ws = owner
    tree = await start_code(person, ws, "idem")
    base = await file_version(person, ws, "idem", "agent.py")
    content = (await person.get(code_url(ws, "idem", "/files/agent.py"))).json()["content"]
    same = await put_file(person, ws, "idem", "agent.py", content, base)
    assert same.status_code == 200
    assert same.json()["treeVersion"] == tree["version"]


@pytest.mark.parametrize(
    "path",
    [
        "../escape.py",
        "lib/../../escape.py",
        "/etc/passwd",
        "lib//double.py",
        "./agent.py",
        "lib\\win.py",
        "C:/win.py",
        "bad\x07bell.py",
        "rtl\u202eyp.txt",
        "zero\u200bwidth.py",
        "lib/__pycache__/x.pyc",
        "a" * 300,
        " lead.py",
    ],
)
async def test_path_attacks_are_refused(owner: tuple[Person, str], path: str) -> None:
    person, ws = owner
    await start_code(person, ws, "paths")
    response = await person.put(
        code_url(ws, "paths", "/files/x"),  # a valid URL; the path under test goes in a rename
        json={"content": "x = 1\n"},
    )
    assert response.status_code == 200, response.text
    renamed = await person.post(
        code_url(ws, "paths", "/rename"),
        json={"from": "x", "to": path, "baseVersion": response.json()["version"]},
    )
    assert renamed.status_code in (422, 404), renamed.text
    if renamed.status_code == 422:
        assert path[:20] in renamed.json()["message"] or renamed.json()["field"] == "to"
    listed = (await person.get(code_url(ws, "paths"))).json()
    assert {f["path"] for f in listed["files"]} >= {"x"}
    await person.delete(
        code_url(ws, "paths", "/files/x"), params={"baseVersion": response.json()["version"]}
    )


async def test_dot_dot_in_the_url_path_is_refused(owner: tuple[Person, str]) -> None:
    person, ws = owner
    await start_code(person, ws, "urlpath")
    response = await put_file(person, ws, "urlpath", "lib/%2E%2E/%2E%2E/x.py", "x = 1\n")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_path"


async def test_file_and_folder_of_the_same_name_clash(owner: tuple[Person, str]) -> None:
    person, ws = owner
    await start_code(person, ws, "clash")
    assert (await put_file(person, ws, "clash", "lib/a.py", "a = 1\n")).status_code == 200
    as_file = await put_file(person, ws, "clash", "lib", "x\n")
    assert as_file.status_code == 409
    under_file = await put_file(person, ws, "clash", "lib/a.py/b.py", "x\n")
    assert under_file.status_code == 409


async def test_binary_and_unencodable_content_is_refused(owner: tuple[Person, str]) -> None:
    person, ws = owner
    await start_code(person, ws, "text")
    nul = await put_file(person, ws, "text", "data.bin", "PK\x00\x03")
    assert nul.status_code == 422
    assert "NUL" in nul.json()["message"]
    surrogate = await person.client.put(
        code_url(ws, "text", "/files/s.py"),
        content=b'{"content": "\\ud800"}',
        headers={**person.headers(), "Content-Type": "application/json"},
    )
    assert surrogate.status_code == 422, surrogate.text


async def test_limits_per_file_and_per_agent(api: Api, settings: Settings) -> None:
    small = settings.model_copy(
        update={"code_max_file_bytes": 300, "code_max_files": 4, "code_max_tree_bytes": 700}
    )
    from arkenos_api.app import create_app

    app = create_app(small)
    async with app.router.lifespan_context(app):
        limited = Api(app)
        person = await limited.admin()
        ws = await limited.workspace(person)
        await start_code(person, ws, "limits", "blank")
        big = await put_file(person, ws, "limits", "big.py", "x" * 301)
        assert big.status_code == 413
        assert "at most 300" in big.json()["message"]
        assert (await put_file(person, ws, "limits", "a.py", "a" * 280)).status_code == 200
        too_much = await put_file(person, ws, "limits", "b.py", "b" * 299)
        assert too_much.status_code == 422
        assert too_much.json()["code"] == "limit_exceeded"
        assert (await put_file(person, ws, "limits", "c.py", "c")).status_code == 200
        fifth = await put_file(person, ws, "limits", "d.py", "d")
        assert fifth.status_code == 422
        assert "at most 4 files" in fifth.json()["message"]
        tree = (await person.get(code_url(ws, "limits"))).json()
        assert tree["limits"] == {"fileBytes": 300, "files": 4, "totalBytes": 700}
        assert len(tree["files"]) == 4


async def test_another_workspace_cannot_read_the_code(api: Api, owner: tuple[Person, str]) -> None:
    person, ws = owner
    await start_code(person, ws, "private")
    stranger = await api.person()
    response = await stranger.get(code_url(ws, "private", "/files/agent.py"))
    assert response.status_code == 404
    other_ws = await api.workspace(await api.admin())
    admin = await api.admin()
    missing = await admin.get(code_url(other_ws, "private"))
    assert missing.status_code == 404
    assert "no code yet" in missing.json()["message"]
