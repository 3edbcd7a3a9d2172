"""Telegram Bot API endpoints and limits, each linked to the vendor's documentation.

The Bot API puts the bot token in the URL path (``/bot<token>/<method>``): the one platform where a credential
cannot live in a header. The client builds that URL at the last moment and never lets it reach a log line or an
exception message.
"""

from __future__ import annotations

DEFAULT_BASE_URL = "https://api.telegram.org"

# https://core.telegram.org/bots/api#making-requests
METHOD_URL = "{base}/bot{token}/{method}"

# https://core.telegram.org/bots/api#getme
GET_ME = "getMe"
# https://core.telegram.org/bots/api#getchat
GET_CHAT = "getChat"
# https://core.telegram.org/bots/api#getchatmembercount
GET_CHAT_MEMBER_COUNT = "getChatMemberCount"
# https://core.telegram.org/bots/api#sendmessage
SEND_MESSAGE = "sendMessage"
# https://core.telegram.org/bots/api#sendphoto
SEND_PHOTO = "sendPhoto"
# https://core.telegram.org/bots/api#sendvideo
SEND_VIDEO = "sendVideo"
# https://core.telegram.org/bots/api#sendmediagroup
SEND_MEDIA_GROUP = "sendMediaGroup"
# https://core.telegram.org/bots/api#sendpoll
SEND_POLL = "sendPoll"
# https://core.telegram.org/bots/api#deletemessage
DELETE_MESSAGE = "deleteMessage"
# https://core.telegram.org/bots/api#getupdates
GET_UPDATES = "getUpdates"
# https://core.telegram.org/bots/api#setwebhook
SET_WEBHOOK = "setWebhook"

# Methods that only read: safe to retry after a timeout.
READ_METHODS = frozenset({GET_ME, GET_CHAT, GET_CHAT_MEMBER_COUNT, GET_UPDATES})
# https://core.telegram.org/bots/api#getupdates — "Limits the number of updates to be retrieved. 1-100"
UPDATES_LIMIT = 100

# https://core.telegram.org/bots/api#setwebhook — sent back on every webhook request when set.
SECRET_TOKEN_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name

# https://core.telegram.org/bots/api#sendmessage — "1-4096 characters after entities parsing"
MAX_TEXT_CHARS = 4096
# https://core.telegram.org/bots/api#sendphoto — "0-1024 characters after entities parsing"
MAX_CAPTION_CHARS = 1024
# https://core.telegram.org/bots/api#sendmediagroup — "must include 2-10 items"
MIN_ALBUM_ITEMS = 2
MAX_ALBUM_ITEMS = 10
# https://core.telegram.org/bots/api#sendpoll — question 1-300 characters, 2-10 (now up to 12) options of 1-100
MAX_POLL_QUESTION_CHARS = 300
MIN_POLL_OPTIONS = 2
MAX_POLL_OPTIONS = 10
MAX_POLL_OPTION_CHARS = 100
# https://core.telegram.org/bots/api#sending-files — uploads through multipart: photos up to 10 MB,
# other files up to 50 MB.
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_VIDEO_BYTES = 50 * 1024 * 1024
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
VIDEO_TYPES = frozenset({"video/mp4"})

# https://core.telegram.org/bots/api#update — the update kinds we read.
ALLOWED_UPDATES = ("message", "edited_message", "channel_post", "edited_channel_post")
