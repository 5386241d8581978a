from django.template import Context, Template


def test_every_template_shows_an_nhs_number_as_the_nhs_does() -> None:
    rendered = Template("{{ number|nhs_number }}|{{ blank|nhs_number }}").render(
        Context({"number": "9434765919", "blank": ""})
    )
    assert rendered == "943 476 5919|"
