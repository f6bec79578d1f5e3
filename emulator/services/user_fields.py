"""The user-profile elements CreateUser/SetUser keep as sent and GetUser answers: their paths, kinds
and the defaults the XML API reference gives (GetUser page and "Elements in WebEx XML Schema
Definitions for the User Service").

One table, read by the rules (:mod:`emulator.services.user_rules` validates and stores what a request
sends) and the shaping (:mod:`emulator.services.user_profile` answers it), so a value set is the
value read back. Paths are relative to the bodyContent (``options/emailVisible``) and are the keys
of :attr:`emulator.model.User.fields`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Field:
    """One kept element: ``path`` below the bodyContent, ``kind`` (``bool``, ``int`` or ``text``)
    and the reference's default (what GetUser answers while nothing was sent)."""

    path: str
    kind: str
    default: str


def _bools(group: str, names: str, default: str = "false") -> tuple[Field, ...]:
    return tuple(Field(f"{group}/{name}", "bool", default) for name in names.split())


def _texts(group: str, names: str, default: str = "") -> tuple[Field, ...]:
    return tuple(Field(f"{group}/{name}" if group else name, "text", default) for name in names.split())


#: plain profile strings at the top level
PROFILE = (
    Field("title", "text", ""),
    Field("categoryId", "int", "0"),
    Field("description", "text", ""),
    Field("company", "text", ""),
    Field("email2", "text", ""),
    Field("personalUrl", "text", ""),
    Field("locale", "text", "U.S."),
    Field("schedulingPermission", "text", ""),
)
#: ``address`` (its children are of the common schema: ``com:``)
ADDRESS = (
    Field("address/addressType", "text", "PERSONAL"),
    *_texts("address", "address1 address2 city state zipCode country"),
)
PHONES = _texts("phones", "phone mobilePhone fax pager")
COMM_OPTIONS = _bools("commOptions", "prodAnnounce trainingInfo electronicInfo promos press email fax phone mail")
OPTIONS = _bools(
    "options",
    "firstNameVisible lastNameVisible addressVisible workPhoneVisible cellPhoneVisible pagerVisible faxVisible"
    " officeUrlVisible pictureVisible notifyOnNewMessage notifyOnMeeting followMeEnable emailVisible"
    " listInCategory titleVisible folderRead messageRead iconSelect1 iconSelect2 acceptLinkRequest"
    " holdOnLinkRequest notifyOnLinkRequest supportVideo supportApp supportFileShare supportDesktopShare"
    " supportMeetingRecord supportAppshareRemote supportWebTourRemote supportDesktopShareRemote"
    " subscriptionOffice",
)
TRACKING = _texts("tracking", " ".join(f"trackingCode{i}" for i in range(1, 11)))
#: the privileges the model does not keep as attributes (host, siteAdmin, umSiteAdmin, labAdmin,
#: voiceOverIp and isEnablePMR are :class:`emulator.model.User` attributes)
PRIVILEGES = _bools(
    "privilege",
    "teleConfCallOut teleConfCallOutInternational teleConfCallIn teleConfTollFreeCallIn roSiteAdmin"
    " otherTelephony teleConfCallInInternational attendeeOnly recordingEditor meetingAssist HQvideo"
    " allowExtAttendees HDvideo",
)
MY_WEBEX = (
    Field("myWebEx/isMyWebExPro", "bool", "false"),
    *_bools(
        "myWebEx",
        "myContact myProfile myMeetings trainingRecordings folders eventDocument myReport myComputer"
        " personalMeetingRoom myPartnerLinks myWorkspaces",
        "true",
    ),
)
PMR = (
    Field("personalMeetingRoom/welcomeMessage", "text", ""),
    Field("personalMeetingRoom/applyPMRForInstantMeeting", "bool", "false"),
)
SESSION_OPTIONS = (
    Field("sessionOptions/defaultServiceType", "text", "MeetingCenter"),
    Field("sessionOptions/autoDeleteAfterMeetingEnd", "bool", "false"),
    Field("sessionOptions/displayQuickStartHost", "bool", "true"),
    Field("sessionOptions/displayQuickStartAttendees", "bool", "false"),
)
SECURITY = _bools("security", "forceChangePassword resetPassword lockAccount")
WEB_ACD = (
    Field("webACDPrefs/isAgent", "bool", "false"),
    Field("webACDPrefs/isMgr", "bool", "false"),
    Field("webACDPrefs/numAgentSessions", "int", "0"),
    Field("webACDPrefs/agentMonitorAllRSQueues", "bool", "false"),
    Field("webACDPrefs/managerMonitorAllRSQueues", "bool", "false"),
    Field("webACDPrefs/monitorAllRSAgents", "bool", "false"),
)

#: every kept element, each once
KEPT: tuple[Field, ...] = (
    PROFILE
    + ADDRESS
    + PHONES
    + COMM_OPTIONS
    + OPTIONS
    + TRACKING
    + PRIVILEGES
    + MY_WEBEX
    + PMR
    + SESSION_OPTIONS
    + SECURITY
    + WEB_ACD
)
BY_PATH = {f.path: f for f in KEPT}
