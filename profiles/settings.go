package profiles

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/agentdesk/agentdesk/profiles/limits"
)

// Nickname length limits, in characters (see package limits).
const (
	MinNicknameLen = limits.NicknameMinChars
	MaxNicknameLen = limits.NicknameChars
)

// Settings are the user's preferences kept beside the profiles.
type Settings struct {
	// Nickname is announced to every server at login (2–32 characters).
	Nickname string `json:"nickname"`
	// ReplyPrefix and ReplySuffix are wrapped around every reply when
	// ReplyAffixes is on (see [Settings.WrapReply]).
	ReplyPrefix  string `json:"reply_prefix"`
	ReplySuffix  string `json:"reply_suffix"`
	ReplyAffixes bool   `json:"reply_affixes"`
	// Notifications says how new requests and chat messages draw the
	// user's attention.
	Notifications Notifications `json:"notifications"`
	// History says how long the history database keeps things.
	History HistorySettings `json:"history"`
	// Completion tunes "@" path and "/" command completion.
	Completion Completion `json:"completion"`
	// Attachments bound what one reply may carry.
	Attachments AttachmentLimits `json:"attachments"`
}

// Notifications are the user's attention choices, per kind of news.
type Notifications struct {
	// Questions, WorkReports and Chat say how a new question, work report
	// or chat message draws attention while the window is not focused.
	Questions   Attention `json:"questions"`
	WorkReports Attention `json:"work_reports"`
	Chat        Attention `json:"chat"`
	// MutedServers holds the IDs of profiles that never notify. IDs that
	// name no profile are dropped on load and on save.
	MutedServers []string `json:"muted_servers,omitempty"`
}

// DefaultSettings returns the settings of a fresh install, with a newly
// generated nickname.
func DefaultSettings() Settings {
	return Settings{
		Nickname:      GenerateNickname(),
		Notifications: DefaultNotifications(),
		Completion:    DefaultCompletion(),
		Attachments:   DefaultAttachmentLimits(),
	}
}

// GenerateNickname returns a random default nickname such as "desk-1a2b",
// so two fresh installs on one server are told apart.
func GenerateNickname() string {
	var b [2]byte
	rand.Read(b[:]) // never fails: crypto/rand crashes the program instead
	return fmt.Sprintf("desk-%x", b)
}

// ValidateNickname trims a nickname the user typed and checks that it is
// 2–32 characters without control characters. It returns the trimmed value.
// A huge input costs no more than a short one.
func ValidateNickname(nick string) (string, error) {
	if !limits.Fits(nick, 4*MaxNicknameLen) { // room for surrounding spaces
		return "", fmt.Errorf("the nickname must be %d to %d characters long", MinNicknameLen, MaxNicknameLen)
	}
	nick = strings.TrimSpace(nick)
	n := utf8.RuneCountInString(nick)
	switch {
	case !utf8.ValidString(nick):
		return "", errors.New("the nickname is not valid text")
	case n < MinNicknameLen || n > MaxNicknameLen:
		return "", fmt.Errorf("the nickname must be %d to %d characters long", MinNicknameLen, MaxNicknameLen)
	case hasControl(nick):
		return "", errors.New("the nickname must not contain control characters")
	}
	return nick, nil
}

// WrapReply returns text with the reply prefix and suffix around it when
// they are turned on, and text unchanged otherwise.
func (s Settings) WrapReply(text string) string {
	if !s.ReplyAffixes {
		return text
	}
	return s.ReplyPrefix + text + s.ReplySuffix
}

// clone returns a deep copy, so callers never share the muted list.
func (s Settings) clone() Settings {
	s.Notifications.MutedServers = append([]string(nil), s.Notifications.MutedServers...)
	s.Completion.IgnorePatterns = append([]string(nil), s.Completion.IgnorePatterns...)
	return s
}

// DefaultNotifications notifies about everything, and raises nothing.
func DefaultNotifications() Notifications {
	return Notifications{Questions: AttentionNotify, WorkReports: AttentionNotify, Chat: AttentionNotify}
}
