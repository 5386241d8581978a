"""How the OpenAPI schema describes our token authentication (imported by the app's ready())."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "carebridge.integrations.authentication.ApiTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A key made for one of the council's systems with "
                "`carebridge api_token_create --council <slug> --name <system>`, sent as "
                "`Authorization: Bearer <key>`. Every call acts for that council only."
            ),
        }
