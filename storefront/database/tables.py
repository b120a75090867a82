"""Imports every model module so that metadata knows every table."""


def import_all() -> None:
    from storefront.accounts import models as _accounts  # noqa: F401
    from storefront.cart import models as _cart  # noqa: F401
    from storefront.catalog import models as _catalog  # noqa: F401
    from storefront.jobs import models as _jobs  # noqa: F401
    from storefront.notifications import models as _notifications  # noqa: F401
    from storefront.orders import models as _orders  # noqa: F401
    from storefront.plugins import models as _plugins  # noqa: F401
