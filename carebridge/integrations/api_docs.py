"""The API's description for people: Swagger UI from the sidecar package, served as our own
static files, under a CSP of its own. It is the site's policy (scripts from 'self' or with the
request's nonce, `base-uri 'none'`, `frame-ancestors 'none'`...) with the nonce allowed for
styles too, which Swagger UI's page needs for its one inline style; its inline start-up script
and the sidecar's scripts carry the nonce (`integrations/api_docs.html`)."""

from typing import Any

from csp.constants import NONCE
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_not_required
from drf_spectacular.views import SpectacularSwaggerView

# Added to the site's CONTENT_SECURITY_POLICY for these pages only.
API_DOCS_CSP_UPDATE = {"style-src": [NONCE]}


class ApiDocsView(SpectacularSwaggerView):
    template_name = "integrations/api_docs.html"


def api_docs_view(**initkwargs: Any) -> Any:
    """The view for urls.py: public (the description is), and under the CSP above."""
    return login_not_required(csp_update(API_DOCS_CSP_UPDATE)(ApiDocsView.as_view(**initkwargs)))
