"""Platform icons, avatars and the shared empty state (issue 16 item 19)."""

from django.template import Context, Template

from kopiena.core.templatetags.looks import AVATAR_COLOURS, PLATFORM_ICONS, avatar_colour, initials


def render(source: str, **context) -> str:
    return Template("{% load looks %}" + source).render(Context(context))


def test_initials_take_the_first_letters_of_two_words():
    assert initials("Anna Bērziņa") == "AB"
    assert initials("@kafijas_draugs") == "KD"
    assert initials("marta") == "M"
    assert initials("  ") == "?"


def test_one_name_keeps_one_colour_and_names_spread_over_the_colours():
    assert avatar_colour("Anna Bērziņa") == avatar_colour("anna bērziņa ")
    colours = {avatar_colour(f"Person {n}") for n in range(200)}
    assert colours == set(range(AVATAR_COLOURS))


def test_avatar_without_a_picture_is_initials_in_a_coloured_circle():
    html = render("{% avatar name %}", name="Anna Bērziņa")
    assert f'class="kp-avatar kp-avatar-c{avatar_colour("Anna Bērziņa")}"' in html
    assert ">AB<" in html and "<img" not in html


def test_avatar_shows_a_safe_picture_and_ignores_other_schemes():
    assert '<img class="kp-avatar" src="https://cdn.example/a.png"' in render(
        "{% avatar 'Anna' url=u %}", u="https://cdn.example/a.png"
    )
    assert "<img" not in render("{% avatar 'Anna' url=u %}", u="javascript:alert(1)")


def test_avatar_escapes_the_name():
    assert "<b>" not in render("{% avatar name %}", name="<b>x</b>")


def test_platform_icon_names_the_platform_and_uses_its_glyph():
    html = render("{% platform_icon 'mastodon' %}")
    assert 'class="kp-platform kp-platform-mastodon"' in html
    assert 'aria-label="Mastodon"' in html and "bi-mastodon" in html
    assert "bi-twitter-x" in render("{% platform_icon 'x' %}")


def test_platform_without_a_glyph_gets_letters_and_unknown_ones_a_globe():
    assert ">VK<" in render("{% platform_icon 'vk' %}")
    assert "bi-globe2" in render("{% platform_icon 'somewhere' %}")


def test_every_registered_connector_has_an_icon():
    from kopiena.connectors import registry

    assert {connector.key for connector in registry.all()} <= set(PLATFORM_ICONS)


def test_empty_state_has_its_next_step_and_test_id():
    html = Template(
        '{% include "partials/_empty_state.html" with icon="bell" title="Nothing" action_url="/next/" '
        'action_label="Do it" action_style="outline-secondary" compact=True testid="x-empty" %}'
    ).render(Context({}))
    assert 'data-testid="x-empty"' in html and "kp-empty-compact" in html
    assert '<a class="btn btn-sm btn-outline-secondary" href="/next/">Do it</a>' in html
