"""The domain models, one module per concept."""
from .base import utcnow
from .organisation import Organisation
from .user import ApiToken, Invitation, User, UserSession
from .topic import Topic, TopicModerator, topic_organisations
from .thread import Post, PostRevision, Thread
from .moderation import Flag, ModerationAction, TopicSilence, WatchedWord
from .notification import Notification
from .event import RoomEvent
from .live import LiveChatMessage, LiveHost, LiveQuestion, LiveSession, LiveSilence, LiveVote
from .watch import ThreadWatch, TopicWatch
from .mail import NotificationPreference, OutboxEmail
from .appeal import Appeal
from .reaction import Bookmark, Reaction

__all__ = [
    "utcnow", "Organisation", "User", "UserSession", "ApiToken", "Invitation", "Topic", "TopicModerator",
    "topic_organisations", "Thread", "Post", "PostRevision", "Flag", "ModerationAction",
    "Notification", "RoomEvent", "TopicSilence", "WatchedWord", "LiveSession", "LiveHost",
    "LiveQuestion", "LiveVote", "LiveChatMessage", "LiveSilence", "TopicWatch", "ThreadWatch",
    "NotificationPreference", "OutboxEmail", "Appeal", "Reaction", "Bookmark",
]
