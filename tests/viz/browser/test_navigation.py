"""Moving around as a planner does: start at /, click the tabs from every page, use the
browser's back and forward buttons; each page keeps its state for the session."""


def tab(page, label):
    page.get_by_role("tab", name=label).click()


def test_tabs_back_forward_and_page_state(new_page):
    page = new_page("/")
    page.get_by_text("1. Scenarios to compare").wait_for()
    page.locator(".duplicate-socialization").click()          # state on the compare page
    page.get_by_text("Levers of socialization_copy").wait_for()

    tab(page, "Sweeps")
    page.get_by_text("Start a sweep").first.wait_for()
    assert page.url.endswith("/sweeps")
    page.locator(".sweep-folder input").fill("somewhere/typed")
    page.locator(".sweep-folder input").press("Enter")          # state on the sweeps page

    tab(page, "Explore")
    page.get_by_text("Explore one run").first.wait_for()
    assert page.url.endswith("/explore")
    tab(page, "Sweeps")                                         # a tab from the explore page
    assert page.locator(".sweep-folder input").input_value() == "somewhere/typed"
    tab(page, "Compare")
    page.get_by_text("Levers of socialization_copy").wait_for()   # the copy is still there

    page.go_back()
    page.get_by_text("Start a sweep").first.wait_for()
    assert page.url.endswith("/sweeps")
    page.go_back()
    page.get_by_text("Explore one run").first.wait_for()
    page.go_forward()
    page.get_by_text("Start a sweep").first.wait_for()
    page.go_forward()
    page.get_by_text("Levers of socialization_copy").wait_for()
    assert page.get_by_text("No render context").count() == 0
