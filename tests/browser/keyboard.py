"""A person who uses the keyboard alone: Tab to a control, then type, Space or Enter.

Every action starts from the control that has the focus and presses Tab (forward
only, as a person does) until the wanted control has it: a control Tab never reaches
fails the test, which is what an inaccessible page would do to that person."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page

# Enough for the longest page (the navigation, a form of a dozen fields, a table).
MAX_TABS = 150


class Keyboard:
    def __init__(self, page: Page) -> None:
        self.page = page

    def reach(self, target: Locator) -> None:
        """Tab until ``target`` has the focus."""
        target.wait_for()
        for _ in range(MAX_TABS):
            self.page.keyboard.press("Tab")
            if target.evaluate("e => e === document.activeElement"):
                return
        raise AssertionError(f"never reached with Tab: {target}")

    def follow(self, name: str | re.Pattern[str], within: Locator | None = None) -> None:
        """Tab to the link ``name`` and press Enter: the page it opens is loaded."""
        link = (within or self.page).get_by_role("link", name=name).first
        self.reach(link)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def press(self, name: str) -> None:
        """Tab to the button ``name`` and press Enter (a form is sent)."""
        button = self.page.get_by_role("button", name=name, exact=True).first
        self.reach(button)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def type(self, selector: str, text: str) -> None:
        """Tab to the field, empty it (select all, delete) and type ``text``."""
        self.reach(self.page.locator(selector))
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(text)

    def date(self, selector: str, iso: str) -> None:
        """A date field, typed digit by digit in the order its segments show: day,
        month, year for a French browser; month, day, year for one in English (the
        order follows the browser's own language, not the page's)."""
        field = self.page.locator(selector)
        year, month, day = iso.split("-")
        self.reach(field)
        self.page.keyboard.type(f"{day}{month}{year}")
        if field.input_value() != iso:
            # From the last segment back to the first, each one emptied.
            for key in ("Backspace", "Shift+Tab", "Backspace", "Shift+Tab", "Backspace"):
                self.page.keyboard.press(key)
            self.page.keyboard.type(f"{month}{day}{year}")
        assert field.input_value() == iso, f"{selector}: {field.input_value()!r}"

    def choose(
        self, selector: str, label: str | re.Pattern[str] | None = None, *, value: str = ""
    ) -> None:
        """In a list, the arrows move the choice (a closed select on Linux): from the
        first option down to the one whose text is ``label`` (or whose value is
        ``value``: two entries of the directory may bear the same name)."""
        field = self.page.locator(selector)
        self.reach(field)
        self.page.keyboard.press("Home")
        for _ in range(field.locator("option").count()):
            text, chosen = field.evaluate("e => [e.options[e.selectedIndex].text.trim(), e.value]")
            if label is None:
                if chosen == value:
                    return
            elif text == label if isinstance(label, str) else label.search(text):
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"no option {label or value!r} in {selector}")

    def check(self, target: Locator) -> None:
        """Tab to a checkbox and tick it with Space."""
        self.reach(target)
        if not target.is_checked():
            self.page.keyboard.press("Space")
