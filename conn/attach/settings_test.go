package attach_test

import (
	"testing"

	"github.com/agentdesk/agentdesk/conn/attach"
	"github.com/agentdesk/agentdesk/profiles"
)

// profiles cannot import conn, so it keeps its own copy of the limits;
// they must agree.
func TestLimitsAgreeWithProfiles(t *testing.T) {
	def := profiles.DefaultAttachmentLimits()
	if def.PerFile != attach.DefaultPerFile || def.PerReply != attach.DefaultPerReply ||
		profiles.MaxAttachmentLimit != attach.MaxPerReply || profiles.MinAttachmentLimit != attach.MinLimit {
		t.Fatalf("profiles %+v (min %d, max %d) vs attach %d/%d (min %d, max %d)", def,
			profiles.MinAttachmentLimit, profiles.MaxAttachmentLimit, attach.DefaultPerFile, attach.DefaultPerReply, attach.MinLimit, attach.MaxPerReply)
	}
	for _, l := range []profiles.AttachmentLimits{def, {PerFile: 100_000, PerReply: 30_000_000}, {PerFile: 99_999, PerReply: 1_000_000}, {PerFile: 2_000_000, PerReply: 1_000_000}} {
		if (profiles.ValidateAttachmentLimits(l) == nil) != (attach.Limits(l).Check() == nil) {
			t.Errorf("%+v: profiles and attach disagree", l)
		}
	}
}
