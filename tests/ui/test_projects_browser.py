"""A new team's first minutes in the browser: create a project, upload a file whose columns need
mapping, map them, label the file; and the clock of a date-time file with an offset.

The screenshots of README's "Your own data in five minutes" are taken here (1280x800)."""

import uuid
from pathlib import Path

import pytest

from tests.ui.test_browser import GRAPH_READY, api, click_at, open_file, stored

pytestmark = [pytest.mark.browser]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# A German logger's export: ';' between cells, ',' as decimal mark, time in seconds, 2 Hz.
ZEIT_CSV = (
    "Zeit;Strom;Spannung;Notiz\n"
    + "".join(
        f"{n // 2},{5 * (n % 2)};{n % 7},5;{230 + (n * 3) % 5};{'' if n % 9 else 'Takt'}\n"
        for n in range(40)
    )
).encode()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    return page


def project_through_api(context, live_app, name, labels) -> dict:
    body = {"name": f"{name} {uuid.uuid4().hex[:4]}", "labels": labels}
    return api(context, live_app, "/api/projects/", method="post", data=body)


def file_through_api(context, live_app, project, name, text) -> dict:
    csv_file = {"name": name, "mimeType": "text/csv", "buffer": text.encode()}
    path = f"/api/projects/{project['id']}/files/"
    answer = api(context, live_app, path, method="post", multipart={"files": csv_file})
    return answer["results"][0]["file"]


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => document.getElementById('toasts').replaceChildren()")
    page.screenshot(path=str(SCREENSHOTS / name))


def test_new_project_upload_with_a_column_mapping_and_label(context, live_app, page):
    name = "Strom"  # project names need not be unique; a fixed one keeps the screenshots stable
    page.goto(f"{live_app.base_url}/")
    page.wait_for_function("() => window.TSL.ctx.project")
    page.click("#project-new-open")
    page.wait_for_selector("#project-new:not([hidden])")
    page.fill("#project-new-name", name)
    first = page.locator("#project-new .tsl-label-row").nth(0)
    first.locator("[name=label-name]").fill("Spitze")
    first.locator("[name=label-kind]").select_option("range")
    page.click("#project-new [data-add-label]")
    second = page.locator("#project-new .tsl-label-row").nth(1)
    second.locator("[name=label-name]").fill("Ausfall")
    second.locator("[name=label-kind]").select_option("instant")
    page.fill("#project-new [name=time_column]", "time")  # like the demo: fixed to 'time'
    screenshot(page, "new-project.png")
    page.click("#project-new button[type=submit]")
    page.wait_for_url("**/?project=*")
    page.wait_for_function(
        f"() => window.TSL.ctx.project && window.TSL.ctx.project.name === {name!r}"
    )
    project_id = page.evaluate("() => window.TSL.ctx.project.id")
    project = api(context, live_app, f"/api/projects/{project_id}/")
    assert [(label["name"], label["kind"]) for label in project["labels"]] == [
        ("Spitze", "range"),
        ("Ausfall", "instant"),
    ]
    assert project["time_column"] == "time" and project["role"] == "owner"

    page.click("#upload-open")
    page.set_input_files(
        "#upload #upload-files",
        [{"name": "strom.csv", "mimeType": "text/csv", "buffer": ZEIT_CSV}],
    )
    page.wait_for_selector("#column-map:not([hidden])")
    assert "'time' is not in the file" in page.inner_text("#column-map-why")
    rows = page.locator("#column-map-rows tr")
    assert rows.count() == 4
    assert page.is_disabled("#column-map-rows input[name=map-channel][value=Notiz]")  # text
    page.check("#column-map-rows input[name=map-time][value=Zeit]")
    assert page.is_disabled("#column-map-rows input[name=map-channel][value=Zeit]")
    assert page.is_checked("#column-map-rows input[name=map-channel][value=Strom]")
    page.check("#column-map-default")
    screenshot(page, "column-map.png")
    page.click("#column-map-apply")
    accepted = page.locator("#upload-results li.is-accepted", has_text="strom.csv")
    accepted.wait_for()
    assert "40 rows · 2 channels · 2 Hz" in accepted.inner_text()
    assert page.locator("#upload-results li.is-rejected").count() == 0
    project = api(context, live_app, f"/api/projects/{project_id}/")
    assert project["time_column"] == "Zeit" and project["channels"] == ["Strom", "Spannung"]

    page.keyboard.press("Escape")
    page.locator("#file-list a", has_text="strom.csv").click()
    page.wait_for_function(GRAPH_READY, timeout=30_000)
    series_file = api(context, live_app, f"/api/projects/{project_id}/files/")[0]
    assert series_file["sampling_rate"] == 2.0 and series_file["time_column"] == "Zeit"
    page.wait_for_function(
        f"() => window.TSL.ctx.store && window.TSL.ctx.store.file === {series_file['id']}"
    )
    click_at(page, 4.0)
    click_at(page, 9.0)
    (annotation,) = stored(context, live_app, series_file["id"], 1)
    assert annotation["label"] == "Spitze" and not annotation["instant"]
    assert annotation["start"] == pytest.approx(4.0, abs=0.5)
    assert annotation["end"] == pytest.approx(9.0, abs=0.5)
    page.mouse.move(10, 10)
    page.wait_for_timeout(300)
    screenshot(page, "labeled.png")


def test_a_date_time_file_with_an_offset_shows_its_own_clock(context, live_app, page):
    project = api(
        context,
        live_app,
        "/api/projects/",
        method="post",
        data={"name": "Zoned", "labels": ["Walk"]},
    )
    rows = "".join(
        f"2024-03-01T{10 + n // 360:02d}:{(n // 6) % 60:02d}:{(n % 6) * 10:02d}+02:00,{n % 17}\n"
        for n in range(360)
    )
    series_file = file_through_api(context, live_app, project, "zoned.csv", "time,v\n" + rows)
    assert series_file["time_start"] == "2024-03-01T08:00:00Z"
    assert series_file["display_timezone"] == "+02:00"
    page.close()
    page = open_file(context, live_app, series_file)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(300)
    ticks = page.evaluate(
        "() => Array.from(document.querySelectorAll('#graph .xtick text')).map(t => t.textContent)"
    )
    assert any(text.startswith("10:10") for text in ticks), ticks
    assert not any(text.startswith("08:") for text in ticks), ticks
    title = page.evaluate("() => document.querySelector('#graph .g-xtitle').textContent")
    assert "UTC+02:00" in title
    screenshot(page, "local-time-axis.png")


def test_project_settings_change_labels_and_show_a_refusal(context, live_app, page):
    project = project_through_api(context, live_app, "Settings", ["Walk", "Run"])
    rows = "".join(f"{n / 10},{n % 5}\n" for n in range(50))
    file_id = file_through_api(context, live_app, project, "s.csv", "time,v\n" + rows)["id"]
    label = {"label": "Run", "start": 1.0, "end": 2.0}
    api(context, live_app, f"/api/files/{file_id}/annotations/", method="post", data=label)
    api(context, live_app, f"/api/files/{file_id}/save/", method="post")

    page.goto(f"{live_app.base_url}/?project={project['id']}")
    page.wait_for_function(
        f"() => window.TSL.ctx.project && window.TSL.ctx.project.id === {project['id']}"
    )
    page.click("#project-settings-open")
    page.wait_for_selector("#project-settings:not([hidden])")
    rows = page.locator("#project-settings .tsl-label-row")
    assert rows.count() == 2
    rows.nth(1).locator("[data-remove-label]").click()  # Run is used by a saved label
    page.click("#project-settings button[type=submit]")
    error = page.locator("#project-settings [data-error]")
    error.wait_for()
    assert "Run" in error.inner_text()
    assert [
        lb["name"] for lb in api(context, live_app, f"/api/projects/{project['id']}/")["labels"]
    ] == [
        "Walk",
        "Run",
    ]

    page.click("#project-settings [data-add-label]")
    added = page.locator("#project-settings .tsl-label-row").nth(1)
    added.locator("[name=label-name]").fill("Run")
    added.locator("[name=label-hotkey]").fill("r")
    added.locator("[name=label-kind]").select_option("range")
    first = page.locator("#project-settings .tsl-label-row").nth(0)
    first.locator("[name=label-color]").evaluate("(input) => { input.value = '#00aa55'; }")
    page.fill("#project-settings [name=time_column]", "time")
    page.check("#project-settings [name=no_overlap]")
    page.click("#project-settings button[type=submit]")
    page.wait_for_selector("#project-settings", state="hidden")
    saved = api(context, live_app, f"/api/projects/{project['id']}/")
    assert saved["no_overlap"] is True
    assert saved["labels"][0]["color"] == "#00aa55"
    assert (saved["labels"][1]["name"], saved["labels"][1]["hotkey"]) == ("Run", "r")
    assert saved["time_column"] == "time"


LABEL_STUDIO_CONFIG = """<View>
  <TimeSeriesLabels name="label" toName="ts">
    <Label value="Run" background="#ff0000" hotkey="r"/>
    <Label value="Fall" background="#0000ff" kind="instant"/>
  </TimeSeriesLabels>
  <TimeSeries name="ts" valueType="url" value="$csv_url" timeColumn="time">
    <Channel column="acc_x"/>
  </TimeSeries>
</View>"""


def test_a_new_project_from_a_label_studio_config(context, live_app, page):
    page.goto(f"{live_app.base_url}/")
    page.wait_for_function("() => window.TSL.ctx.project")
    page.click("#project-new-open")
    page.fill("#project-new-name", f"From Label Studio {uuid.uuid4().hex[:4]}")
    page.click("#project-new details summary")
    page.fill("#project-new [name=label_config]", "<View><TimeSeries/></View>")
    page.click("#project-new button[type=submit]")
    error = page.locator("#project-new [data-error]")
    error.wait_for()
    assert "TimeSeriesLabels" in error.inner_text()  # the server's reason, in the dialog
    page.fill("#project-new [name=label_config]", LABEL_STUDIO_CONFIG)
    page.click("#project-new button[type=submit]")
    page.wait_for_url("**/?project=*")
    project_id = int(page.url.rsplit("=", 1)[1])
    project = api(context, live_app, f"/api/projects/{project_id}/")
    assert [(lb["name"], lb["hotkey"], lb["kind"]) for lb in project["labels"]] == [
        ("Run", "r", "both"),
        ("Fall", "2", "instant"),
    ]
    assert project["time_column"] == "time" and project["channels"] == ["acc_x"]


def test_a_guessed_time_column_can_be_changed_after_the_upload(context, live_app, page):
    project = project_through_api(context, live_app, "Guess", ["Walk"])
    # 'n' (a counter) and 'sec' (the time) both rise steadily: no sure time column, the row number
    rows = "".join(f"{n},{n % 4},{10 + n * 0.25}\n" for n in range(40))
    content = ("n,v,sec\n" + rows).encode()
    page.goto(f"{live_app.base_url}/?project={project['id']}")
    page.wait_for_function(
        f"() => window.TSL.ctx.project && window.TSL.ctx.project.id === {project['id']}"
    )
    page.click("#upload-open")
    page.set_input_files(
        "#upload #upload-files",
        [{"name": "counter.csv", "mimeType": "text/csv", "buffer": content}],
    )
    page.click("#upload-results li.is-accepted [data-remap]")
    page.wait_for_selector("#column-map:not([hidden])")
    assert "the row number as time, a guess" in page.inner_text("#column-map-why")
    page.check("#column-map-rows input[name=map-time][value=sec]")
    page.check("#column-map-rows input[name=map-channel][value=n]")
    page.click("#column-map-apply")
    page.locator("#upload-results li.is-accepted", has_text="4 Hz").wait_for()
    files = api(context, live_app, f"/api/projects/{project['id']}/files/")
    assert [(f["name"], f["time_column"], f["channels"]) for f in files] == [
        ("counter.csv", "sec", ["n", "v"])
    ]
