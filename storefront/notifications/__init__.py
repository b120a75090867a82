"""Messages to members and addresses, through an outbox the worker sends from.

Layering: notifications sits below accounts. Accounts (registration, address confirmation,
password reset) send their mails with ``notify``; notifications never imports accounts and
reads a member's account through ``Notification.member``, a relationship SQLAlchemy resolves
by the class name ``User``. What a message needs of a member (address, language, whether
they stopped news) is spelled out by ``service.Member``. Notifications may use orders and
events, which sit below it (``order_messages``: the shop's messages about an order).
"""
