// Package limits is the one place where agentdesk bounds text that comes
// from outside: from servers (wire frames), from config.json, from the
// Flutter client's settings file and from what users type. Each limit is
// applied where the value enters, so nothing oversized reaches the model,
// the history or Fyne's text shaping (a 1 MB label once froze the UI thread
// for minutes).
//
// Lengths named ...Chars count Unicode characters (runes); lengths named
// ...Bytes count UTF-8 bytes. The package imports only the standard library,
// so conn, profiles and ui can all use it.
package limits

// Addresses. A URL and a host name are refused, never cut: a cut address
// would point somewhere else.
const (
	// URLBytes bounds a server URL. 2048 bytes is the length browsers and
	// proxies reliably accept; a WebSocket endpoint is far shorter.
	URLBytes = 2048
	// HostBytes bounds a host name: DNS allows at most 253 characters
	// (RFC 1035), and an IP literal is shorter still.
	HostBytes = 253
)

// Names shown in one-line labels. Values over the limit are cut (with "…")
// when they come from a server or a file, and refused when a user types them.
const (
	// AliasChars bounds a server's alias, the name the user gave it.
	AliasChars = 64
	// NicknameChars bounds a nickname: ours (settings, Flutter import) and
	// everyone else's (online users, chat senders, who answered a request).
	NicknameChars = 32
	// NicknameMinChars is the shortest nickname we announce; one character
	// is too easy to mistake for noise in a chat title.
	NicknameMinChars = 2
	// AgentNameChars bounds an agent, reasoning-model or MCP client name.
	// Real ones are short ("claude", "Claude Code"); 128 keeps versioned
	// model names whole.
	AgentNameChars = 128
	// BasicUserChars bounds a Basic-auth user name. A user name is refused,
	// never cut: a cut one names someone else.
	BasicUserChars = 256
	// ProfileIDBytes bounds a profile id read from config.json; ours are
	// 36-byte UUIDs, and the id names the keyring entry.
	ProfileIDBytes = 64
	// ClientIDBytes bounds a client id a server gives out. Chats are routed
	// by it, so an over-long one cannot be cut: such a user or chat message
	// is skipped with a warning. Stock ids are 21 bytes.
	ClientIDBytes = 256
	// LoginErrorChars bounds the reason a server gives for refusing a login.
	LoginErrorChars = 256
)

// Request fields.
const (
	// RequestIDBytes bounds a request id. Ids are chosen by agents (UUIDv7
	// from the MCP bridge: 36 bytes). The reply is routed by the exact id,
	// so an over-long one cannot be cut: such a request is skipped with a
	// warning, and the agent times out as it would with no client.
	RequestIDBytes = 1024
	// ProjectDirBytes bounds a project directory: PATH_MAX on Linux.
	ProjectDirBytes = 4096
	// DisplayTextBytes is where a question or work-report summary is cut
	// for display. The full text is kept for copy and history; only its
	// frame bounds it (see FrameBytes).
	DisplayTextBytes = 20 << 10
	// FrameBytes is the largest WebSocket frame accepted, and so the hard
	// ceiling of a question or summary: 32 MiB leaves room for the
	// attachments the Flutter client sends, while one frame can never
	// take the app's memory with it.
	FrameBytes = 32 << 20
	// ReplyTextBytes bounds another client's answer as we keep it (shown as
	// "answered by …"). A human's reply is seldom longer than a screen;
	// three display cuts keep even long pasted answers whole.
	ReplyTextBytes = 3 * DisplayTextBytes
	// CancelReasonChars bounds why a request was cancelled ("timeout").
	CancelReasonChars = 256
	// ChoiceQuestionBytes bounds the question of one structured choice, as
	// for the request's own text on display.
	ChoiceQuestionBytes = DisplayTextBytes
	// ChoiceHeaderChars bounds a choice's short header (a chip label).
	ChoiceHeaderChars = 64
	// ChoiceLabelChars bounds one offered answer's label (a button).
	ChoiceLabelChars = 256
	// ChoiceDescriptionChars bounds one offered answer's description.
	ChoiceDescriptionChars = 1024
	// Choices bounds how many structured choices one request carries.
	// Extra choices are dropped; the user can still answer in free text.
	Choices = 16
	// ChoiceOptions bounds how many answers one choice offers.
	ChoiceOptions = 32
)

// Chat.
const (
	// ChatMessageBytes bounds one chat message, incoming (cut in conn as the
	// frame is decoded) or typed (refused with a message). A chat line is
	// a short human message; 16 KiB is pages of text.
	ChatMessageBytes = 16 << 10
	// OnlineUsers bounds the online-users list kept per server; a longer
	// list is cut with a warning.
	OnlineUsers = 1000
)

// Secrets and settings.
const (
	// TokenBytes bounds the user token. Tokens are short random strings;
	// 4096 bytes leaves room for JWTs.
	TokenBytes = 4096
	// BasicPasswordBytes bounds a Basic-auth password.
	BasicPasswordBytes = 4096
	// ReplyAffixChars bounds the reply prefix and suffix each.
	ReplyAffixChars = 1000
)

// Display. The UI cuts every value from outside before a widget gets it:
// shaping a megabyte of text froze the UI thread for minutes, and nothing
// longer than these can be read on one card anyway. The full value stays in
// the model and the history, for copy and export.
const (
	// LabelChars bounds a one-line label: a name, a path, a state.
	LabelChars = 200
	// LineChars bounds a wrapped status line that quotes a reply, a reason
	// or an error.
	LineChars = 2000
	// NoticeDetailChars bounds the details shown under a banner.
	NoticeDetailChars = 4000
	// ReplyDraftChars bounds what a reply field holds: a longer paste is
	// cut to it.
	ReplyDraftChars = 64 << 10
)
