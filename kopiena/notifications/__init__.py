"""Notifications: the one place that tells people things (ARCHITECTURE: every app calls ``notify``).

A ``Notice`` stores *what happened* — its kind and parameters — and is rendered in the reader's current
language and the workspace's time zone each time it is shown (``rendering``). Per-person preferences
choose the channels per event (in-app, e-mail now or in a daily digest, outgoing webhooks); quiet hours
hold the noisy channels back; the worker delivers with retries (``delivery``).
"""
