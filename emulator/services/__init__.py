"""One module per Webex service (the event-planner service's recordings and contacts in modules of
their own); importing this package registers every handler."""

from webex_harness.emulator.services import (  # noqa: F401
    attendee,
    callback_detect,
    contacts,
    dist_lists,
    ep,
    event,
    feedback,
    history,
    labs,
    meeting,
    meetingtype,
    one_click,
    pmr_image,
    programs,
    record_access,
    recordings,
    site,
    support,
    teleconference,
    training,
    training_list,
    user,
    user_login,
)
