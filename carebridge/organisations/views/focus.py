"""The council a provider that works for several councils is looking at: chosen from any page
(the header's "Change council"), kept in the session, and back to the page it was chosen from."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from carebridge.core.forms import GovForm
from carebridge.core.http import return_path
from carebridge.organisations.focus import choose, chosen_council_id, focus_of

ALL = "all"


class FocusForm(GovForm):
    council = forms.ChoiceField(
        label="Which council do you want to look at?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a council, or all of them"},
    )

    def __init__(self, *args: object, councils: tuple, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["council"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            *((str(c.pk), c.name) for c in councils),
            (ALL, "All councils (each row says which council it is for)"),
        ]


@require_http_methods(["GET", "POST"])
def council_focus(request: HttpRequest) -> HttpResponse:
    focus = focus_of(request)
    back = return_path(request.POST.get("next") or request.GET.get("next")) or reverse("home:home")
    chosen_id = chosen_council_id(request)
    chosen = str(chosen_id) if chosen_id is not None else ALL
    form = FocusForm(request.POST or None, councils=focus.councils, initial={"council": chosen})
    if request.method == "POST" and focus.can_switch and form.is_valid():
        value = form.cleaned_data["council"]
        focus = choose(request, None if value == ALL else int(value))
        return redirect(back)
    return render(
        request,
        "organisations/council_focus.html",
        {"form": form, "focus": focus, "back": back},
    )
