"""The domain models, one module per concept."""
from .appeal import Appeal
from .base import utcnow
from .event import RoomEvent
from .generation import DataGeneration
from .live import LiveChatMessage, LiveHost, LiveQuestion, LiveSession, LiveSilence, LiveVote
from .mail import NotificationPreference, OutboxEmail
from .moderation import Flag, ModerationAction, TopicSilence, WatchedWord
from .notification import Notification
from .organisation import Organisation
from .reaction import Bookmark, Reaction
from .reading import ThreadRead, TopicRead
from .resource import Resource, ResourceVersion
from .thread import Post, PostRevision, Thread
from .topic import Topic, TopicModerator, topic_organisations
from .upload import Upload
from .user import ApiToken, Invitation, User, UserSession
from .watch import ThreadWatch, TopicWatch

__all__ = [
    "utcnow", "Organisation", "User", "UserSession", "ApiToken", "Invitation", "Topic", "TopicModerator",
    "topic_organisations", "Thread", "Post", "PostRevision", "Flag", "ModerationAction",
    "Notification", "RoomEvent", "TopicSilence", "WatchedWord", "LiveSession", "LiveHost",
    "LiveQuestion", "LiveVote", "LiveChatMessage", "LiveSilence", "TopicWatch", "ThreadWatch",
    "NotificationPreference", "OutboxEmail", "Appeal", "Reaction", "Bookmark", "ThreadRead", "TopicRead",
    "Upload", "Resource", "ResourceVersion", "DataGeneration",
]
