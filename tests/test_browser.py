"""The web chat in a real browser: Debian's headless Chromium driven by Selenium.

Needs `chromium` and `chromium-driver` (make browser-deps). Also a latency probe, run by hand:

    .venv/bin/python -m tests.test_browser --measure [--index DIR]

prints, per question, the time from pressing Enter to the first streamed token and to the full answer
as the page saw them (JS timestamps), with the models already warm.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag import Settings
from tests.test_ui import serve

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
EVIL_SCRIPT = "<script>window.__xss=1</script>"
EVIL_IMG = '<img src=x onerror="window.__xss=2">'

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def new_driver(profile: str) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("Chromium is missing; run: make browser-deps (apt-get install chromium chromium-driver)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        f"--user-data-dir={profile}",
    ):
        opts.add_argument(arg)
    driver = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    return driver


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    driver = new_driver(str(tmp_path_factory.mktemp("chromium-profile")))
    try:
        yield driver
    finally:
        driver.quit()


def open_chat(driver: Any, url: str) -> Any:
    """Load the page; return the question box."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    return WebDriverWait(driver, 60).until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#question textarea")))


# Records, in page time, pressing Enter, the first streamed token of the next answer and its end.
_PROBE = """
const chat = document.querySelector('#chat'), done0 = chat.querySelectorAll('.rag-final, .rag-error').length;
const t = window.__t = {};
document.addEventListener('keydown', e => { if (e.key === 'Enter' && t.enter === undefined) t.enter = performance.now(); }, true);
const check = () => {
  if (t.enter === undefined) return;
  const done = chat.querySelectorAll('.rag-final, .rag-error').length > done0;
  if (t.first === undefined && (done || chat.querySelector('.rag-streaming'))) t.first = performance.now();
  if (t.full === undefined && done) { t.full = performance.now(); observer.disconnect(); }
};
const observer = new MutationObserver(check);
observer.observe(chat, {childList: true, subtree: true, characterData: true});
"""


# Scroll the chat's own box so the message's first line (the answer) is at the top of the screenshot.
_SCROLL_TO_TOP = """
const el = arguments[0]; let box = el.parentElement;
while (box && box.scrollHeight <= box.clientHeight) box = box.parentElement;
if (box) box.scrollTop += el.getBoundingClientRect().top - box.getBoundingClientRect().top;
"""


def ask(driver: Any, box: Any, question: str, timeout: float = 300) -> dict[str, float]:
    """Type the question, press Enter, wait for the finished answer; return the page's timestamps."""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script(_PROBE)
    box.clear()
    box.send_keys(question)
    box.send_keys(Keys.ENTER)
    WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: d.execute_script("return window.__t.full"))
    t = driver.execute_script("return window.__t")
    return {"first_token_s": (t["first"] - t["enter"]) / 1000, "full_answer_s": (t["full"] - t["enter"]) / 1000}


def last_message(driver: Any) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, "#chat .rag-message")[-1]


def test_ask_see_sources_and_open_one_highlighted(settings: Settings, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with serve(settings) as url:
        box = open_chat(browser, url)
        assert settings.models()["llm"] in browser.find_element(By.ID, "models").text
        assert "articles: 5" in browser.find_element(By.ID, "index-status").text
        times = ask(browser, box, "Which missile system were Russian specialists fixing?")
        print("browser timings:", times)
        msg = last_message(browser)
        assert msg.find_element(By.CSS_SELECTOR, ".rag-final").text.strip()
        source = msg.find_element(By.CSS_SELECTOR, ".rag-sources .rag-source")
        assert "[1]" in source.text and "001_f402c199f0a04fb1.txt" in source.text and "score" in source.text
        support = source.find_element(By.CSS_SELECTOR, ".rag-passage mark.rag-support")
        assert support.is_displayed() and support.text.strip()

        article = source.find_element(By.CSS_SELECTOR, "details.rag-article")
        assert not article.find_element(By.CSS_SELECTOR, "mark.rag-hl").is_displayed()
        article.find_element(By.TAG_NAME, "summary").click()
        WebDriverWait(browser, 10).until(lambda d: article.get_attribute("open") is not None)
        mark = article.find_element(By.CSS_SELECTOR, "mark.rag-hl")
        WebDriverWait(browser, 10).until(lambda d: mark.is_displayed())
        whole = article.find_element(By.CSS_SELECTOR, ".rag-article-text").get_attribute("textContent")
        passage = source.find_element(By.CSS_SELECTOR, ".rag-passage").get_attribute("textContent")
        marked = "".join(m.get_attribute("textContent") for m in article.find_elements(By.CSS_SELECTOR, "mark.rag-hl"))
        assert marked == passage and passage in whole  # the passage, marked in place
        in_place = article.find_element(By.CSS_SELECTOR, "mark.rag-hl.rag-support")
        assert in_place.get_attribute("textContent") == support.get_attribute("textContent")
        ARTIFACTS.mkdir(exist_ok=True)
        browser.execute_script(_SCROLL_TO_TOP, msg)
        browser.save_screenshot(str(ARTIFACTS / "chat.png"))


@pytest.fixture(scope="module")
def evil_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The bundled articles plus one whose text carries a script and an img with onerror."""
    from rag import build_index

    corpus = tmp_path_factory.mktemp("evil-corpus")
    for f in settings.corpus_dir.glob("*.txt"):
        shutil.copy(f, corpus / f.name)
    (corpus / "harbour.txt").write_text(
        "Glimmerton council approves the harbour bridge repair\n\n"
        "The Glimmerton town council approved the repair of the harbour bridge on Tuesday. "
        f"The bridge repair will cost 4 million euros, the council said. Its website briefly showed {EVIL_SCRIPT} "
        f"and {EVIL_IMG} in the notice about the harbour bridge repair.\n\n"
        "Work on the harbour bridge starts in May and ends in September, the council said.\n",
        encoding="utf-8",
    )
    s = settings.replace(corpus_dir=corpus, index_dir=tmp_path_factory.mktemp("evil-index"))
    build_index(settings=s)
    return s


def test_article_markup_shows_as_text_and_never_runs(evil_settings: Settings, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    with serve(evil_settings) as url:
        box = open_chat(browser, url)
        ask(browser, box, "How much will the Glimmerton harbour bridge repair cost?")
        msg = last_message(browser)
        shown = msg.find_elements(By.CSS_SELECTOR, ".rag-source")
        harbour = [s for s in shown if "harbour.txt" in s.text]
        assert harbour, msg.text
        harbour[0].find_element(By.CSS_SELECTOR, "summary").click()
        time.sleep(1)  # give an onerror handler every chance to fire
        assert browser.execute_script("return typeof window.__xss") == "undefined"
        assert browser.execute_script("return document.querySelectorAll('#chat script, #chat img[src=x]').length") == 0
        text = harbour[0].get_attribute("textContent")
        assert EVIL_SCRIPT in text and EVIL_IMG in text
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "xss.png"))


def measure(index_dir: str | None, questions: list[str]) -> None:
    """Warm the models with one question, then time each question in the browser."""
    import os

    settings = Settings.load(index_dir=index_dir)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    driver = new_driver(profile)
    try:
        with serve(settings) as url:
            box = open_chat(driver, url)
            ask(driver, box, questions[0])  # warm-up: loads the models
            print(f"uptime load average before: {os.getloadavg()}")
            for q in questions:
                box = open_chat(driver, url)  # a fresh chat: no history
                t = ask(driver, box, q)
                said = driver.execute_script(
                    "return [...document.querySelectorAll('#chat .rag-final')].pop().textContent"
                )
                print(
                    f"{t['first_token_s']:6.2f} s first token  {t['full_answer_s']:6.2f} s full answer  {q} -> {said}"
                )
            print(f"uptime load average after: {os.getloadavg()}")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    import argparse

    from ui.app import EXAMPLES

    parser = argparse.ArgumentParser(description="Time answers in the browser (warm models).")
    parser.add_argument("--measure", action="store_true", required=True)
    parser.add_argument("--index", default=None, help="Index folder (default: settings).")
    args = parser.parse_args()
    measure(args.index, EXAMPLES)


def test_upload_switch_collection_filter_reload_reopen_and_export(
    settings: Settings, browser: Any, tmp_path: Path
) -> None:
    """Issue 15's walk through the chat: create a collection, upload two files (one good, one binary),
    filter by outlet, ask, reload the page, reopen the conversation and export it as Markdown."""
    import json

    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.test_ui import NEWS

    news, photo, downloads = tmp_path / "news.jsonl", tmp_path / "photo.txt", tmp_path / "downloads"
    news.write_text("\n".join(json.dumps(a) for a in NEWS), encoding="utf-8")
    photo.write_bytes(bytes(range(256)) * 8)
    own = settings.replace(collections_dir=tmp_path / "collections")

    def wait(timeout: float = 60) -> Any:
        return WebDriverWait(browser, timeout, poll_frequency=0.2)

    def collection() -> str:
        return str(browser.find_element(By.CSS_SELECTOR, "#collection input").get_attribute("value"))

    ARTIFACTS.mkdir(exist_ok=True)
    with serve(own) as url:
        open_chat(browser, url)
        assert collection() == "default"
        browser.find_element(By.CSS_SELECTOR, "#new-collection button.label-wrap").click()
        wait().until(lambda d: d.find_element(By.CSS_SELECTOR, "#new-collection-name textarea")).send_keys("local")
        browser.find_element(By.ID, "create-collection").click()
        wait().until(lambda d: collection() == "local")

        browser.find_element(By.CSS_SELECTOR, "#upload-files input[type=file]").send_keys(f"{news}\n{photo}")
        wait().until(lambda d: "photo.txt" in (d.find_element(By.ID, "upload-files").get_attribute("innerHTML") or ""))
        browser.find_element(By.ID, "upload").click()
        wait(180).until(lambda d: "Rebuilt" in d.find_element(By.ID, "upload-report").text)
        report = browser.find_element(By.ID, "upload-report").text
        assert "added news.jsonl" in report and "not added photo.txt: binary file, not text" in report
        assert "indexed 3 articles" in report and "articles: 3" in browser.find_element(By.ID, "index-status").text
        browser.execute_script(
            "arguments[0].scrollIntoView({block: 'end'})", browser.find_element(By.ID, "upload-report")
        )
        browser.save_screenshot(str(ARTIFACTS / "upload.png"))

        outlets = browser.find_element(By.CSS_SELECTOR, "#outlets input")
        outlets.click()
        outlets.send_keys("Valley Post")
        outlets.send_keys(Keys.ENTER)
        wait().until(lambda d: "Valley Post" in d.find_element(By.ID, "outlets").text)
        box = browser.find_element(By.CSS_SELECTOR, "#question textarea")
        box.click()  # closes the outlet list
        ask(browser, box, "What happened in Glimmerton?")
        msg = last_message(browser)
        sources = {e.text for e in msg.find_elements(By.CSS_SELECTOR, ".rag-sources .rag-file")}
        assert sources == {"news.jsonl#1"}, msg.text  # the Valley Post article only
        assert "Searched only: outlet Valley Post" in browser.find_element(By.ID, "focus").text
        browser.execute_script("window.scrollTo(0, 0)")
        browser.save_screenshot(str(ARTIFACTS / "collection.png"))

        browser.refresh()
        open_chat(browser, url)
        assert collection() == "default" and not browser.find_elements(By.CSS_SELECTOR, "#chat .rag-message")
        saved = wait().until(lambda d: d.find_elements(By.CSS_SELECTOR, "#conversations label"))
        assert [s.text for s in saved] == ["What happened in Glimmerton? · local (1)"]
        saved[0].click()
        wait().until(lambda d: d.find_elements(By.CSS_SELECTOR, "#chat .rag-message .rag-final"))
        assert collection() == "local" and "news.jsonl#1" in last_message(browser).text
        browser.save_screenshot(str(ARTIFACTS / "conversation.png"))

        browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        browser.find_element(By.ID, "export").click()
        # the file can be seen before Chromium has written it: wait for its text, not its name
        wait().until(lambda d: any(p.stat().st_size for p in downloads.glob("*.md")))
        markdown = next(p for p in downloads.glob("*.md") if p.stat().st_size).read_text(encoding="utf-8")
        assert markdown.startswith("# What happened in Glimmerton?")
        assert "Collection: local" in markdown and "**Q:** What happened in Glimmerton?" in markdown
        assert "[1] Glimmerton bridge reopens (news.jsonl#1, Valley Post, 2023-11-02)" in markdown
        assert '> "The Glimmerton harbour bridge reopened on Thursday' in markdown
        resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert all(r.startswith(url.rstrip("/")) or r.startswith(("data:", "blob:")) for r in resources), [
            r for r in resources if not r.startswith(url.rstrip("/"))
        ]  # the page loads nothing from beyond the server (no fonts or scripts from a CDN)
