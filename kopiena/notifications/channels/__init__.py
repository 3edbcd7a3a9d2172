"""How a rendered notice leaves Kopiena: e-mail (``email``) and outgoing webhooks (``webhook``).
In-app needs no channel: the notice row is what the bell and the notifications page read."""
