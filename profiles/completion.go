package profiles

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Completion are the settings of "@" path and "/" command completion in
// reply boxes.
type Completion struct {
	// Gitignore honours the project's .gitignore files in the "@" list.
	Gitignore bool `json:"gitignore"`
	// IgnorePatterns are extra patterns in gitignore syntax that the "@"
	// list leaves out (built-in ones such as .git and node_modules always
	// apply; "!name/" brings one back).
	IgnorePatterns []string `json:"ignore_patterns,omitempty"`
	// CommandTemplate and SkillTemplate are inserted when a command or a
	// skill is picked from the "/" list; %name%, %path% and %type% are
	// filled in.
	CommandTemplate string `json:"command_template"`
	SkillTemplate   string `json:"skill_template"`
	// Show is what the "/" list offers: ShowCommands, ShowSkills or
	// ShowBoth.
	Show string `json:"show"`
}

// Values of Completion.Show.
const (
	// ShowCommands lists commands only (the default, as in the Flutter client).
	ShowCommands = "commands"
	// ShowSkills lists skills only.
	ShowSkills = "skills"
	// ShowBoth lists commands, then skills.
	ShowBoth = "both"
)

// Default completion templates, the Flutter client's (conn/complete uses
// these).
const (
	// DefaultCommandTemplate is inserted for a picked command.
	DefaultCommandTemplate = "\nCommand /%name% triggered. Workflow file: [%path%]. \n" +
		"Action: Read/Reference the file to understand the workflow, then execute: \n" +
		"Instruction: /%name% "
	// DefaultSkillTemplate is inserted for a picked skill.
	DefaultSkillTemplate = "\nSkill /%name% invoked. Definition source: [%path%]. \n" +
		"Action: Consult the file content for skill logic, then apply to: \n" +
		"Request: /%name% "
)

// Bounds on completion settings.
const (
	// MaxIgnorePatterns bounds how many custom ignore patterns are kept.
	MaxIgnorePatterns = 200
	// MaxIgnorePattern bounds one pattern, in bytes.
	MaxIgnorePattern = 1024
	// MaxTemplateLen bounds a completion template, in characters.
	MaxTemplateLen = 4000
)

// unset reports whether c is the zero value, as in settings built by code
// that does not know about completion.
func (c Completion) unset() bool {
	return !c.Gitignore && len(c.IgnorePatterns) == 0 && c.CommandTemplate == "" && c.SkillTemplate == "" && c.Show == ""
}

// DefaultCompletion returns the completion settings of a fresh install.
func DefaultCompletion() Completion {
	return Completion{Gitignore: true, CommandTemplate: DefaultCommandTemplate,
		SkillTemplate: DefaultSkillTemplate, Show: ShowCommands}
}

// AttachmentLimits bound the attachments of one reply, in bytes.
type AttachmentLimits struct {
	// PerFile is the largest file that may be attached.
	PerFile int64 `json:"per_file"`
	// PerReply bounds what all attachments add to one reply (audio counts
	// its base64 size).
	PerReply int64 `json:"per_reply"`
}

// Attachment limit defaults and bounds, which conn/attach enforces. Sizes
// are decimal bytes, as file managers show them.
//
// Why these numbers: a reply travels as one WebSocket frame. The stock
// server sets no read limit, but it re-broadcasts the frame to every other
// client, and agentdesk peers refuse frames over their 32 MiB ReadLimit;
// conn.ReplyWith refuses anything over 31 MiB including the request it
// answers. The agent side is JSON over HTTP, which base64s the bytes
// (4/3), and the stock MCP bridge reads at most 50 MiB: 30 MB of
// attachments become 40 MB of JSON. Audio already travels as base64, so it
// counts 4/3 towards the reply limit. 24 MB per reply leaves room for the
// text and for a long question echoed back with the reply; 10 MB per file
// lets a few screenshots or logs go together.
const (
	// DefaultPerFileLimit is the largest file a reply takes by default.
	DefaultPerFileLimit = 10_000_000
	// DefaultPerReplyLimit bounds all of a reply's attachments by default.
	DefaultPerReplyLimit = 24_000_000
	// MinAttachmentLimit is the lowest limit that may be chosen.
	MinAttachmentLimit = 100_000
	// MaxAttachmentLimit is the highest limit that may be chosen.
	MaxAttachmentLimit = 30_000_000
)

// DefaultAttachmentLimits returns the limits of a fresh install.
func DefaultAttachmentLimits() AttachmentLimits {
	return AttachmentLimits{PerFile: DefaultPerFileLimit, PerReply: DefaultPerReplyLimit}
}

// ValidateAttachmentLimits checks limits the user chose.
func ValidateAttachmentLimits(l AttachmentLimits) error {
	switch {
	case l.PerFile < MinAttachmentLimit || l.PerReply < MinAttachmentLimit:
		return fmt.Errorf("attachment limits must be at least %d kB", MinAttachmentLimit/1000)
	case l.PerReply > MaxAttachmentLimit || l.PerFile > MaxAttachmentLimit:
		return fmt.Errorf("attachment limits can be at most %d MB: one reply travels as one message", MaxAttachmentLimit/1_000_000)
	case l.PerFile > l.PerReply:
		return errors.New("the per-file limit cannot be larger than the per-reply limit")
	}
	return nil
}

// NormalizeCompletion trims and checks completion settings the user
// edited: blank patterns are dropped, empty templates go back to their
// defaults.
func NormalizeCompletion(c Completion) (Completion, error) {
	var pats []string
	for _, p := range c.IgnorePatterns {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
			continue
		case len(p) > MaxIgnorePattern:
			return c, fmt.Errorf("an ignore pattern is longer than %d characters", MaxIgnorePattern)
		case !utf8.ValidString(p) || hasControl(p):
			return c, fmt.Errorf("the ignore pattern %q has characters that cannot be in a path pattern", p)
		}
		pats = append(pats, p)
	}
	if len(pats) > MaxIgnorePatterns {
		return c, fmt.Errorf("at most %d ignore patterns", MaxIgnorePatterns)
	}
	c.IgnorePatterns = pats
	for _, t := range []*string{&c.CommandTemplate, &c.SkillTemplate} {
		if strings.TrimSpace(*t) == "" {
			*t = ""
		}
		switch {
		case !utf8.ValidString(*t):
			return c, errors.New("a completion template is not valid text")
		case utf8.RuneCountInString(*t) > MaxTemplateLen:
			return c, fmt.Errorf("a completion template is longer than %d characters", MaxTemplateLen)
		}
	}
	if c.CommandTemplate == "" {
		c.CommandTemplate = DefaultCommandTemplate
	}
	if c.SkillTemplate == "" {
		c.SkillTemplate = DefaultSkillTemplate
	}
	switch c.Show {
	case ShowCommands, ShowSkills, ShowBoth:
	case "":
		c.Show = ShowCommands
	default:
		return c, fmt.Errorf("the / list shows %q, %q or %q, not %q", ShowCommands, ShowSkills, ShowBoth, c.Show)
	}
	return c, nil
}

// completion decodes the completion object of a config file: a bad value
// falls back to its default, with a note.
func (r *reader) completion(raw json.RawMessage) Completion {
	def := DefaultCompletion()
	c := def
	obj, ok := r.object(raw, "the completion settings", "defaults are used")
	if !ok {
		return c
	}
	r.field(obj, "gitignore", "the .gitignore switch", &c.Gitignore)
	r.field(obj, "ignore_patterns", "the ignore patterns", &c.IgnorePatterns)
	r.field(obj, "command_template", "the command template", &c.CommandTemplate)
	r.field(obj, "skill_template", "the skill template", &c.SkillTemplate)
	r.field(obj, "show", "what the / list shows", &c.Show)
	if len(c.IgnorePatterns) > MaxIgnorePatterns {
		r.notef("only the first %d ignore patterns were kept", MaxIgnorePatterns)
		c.IgnorePatterns = c.IgnorePatterns[:MaxIgnorePatterns]
	}
	n, err := NormalizeCompletion(c)
	if err != nil {
		r.notef("the completion settings were not valid (%v); defaults are used", err)
		return def
	}
	return n
}

// attachmentLimits decodes the attachment limits of a config file.
func (r *reader) attachmentLimits(raw json.RawMessage) AttachmentLimits {
	l := DefaultAttachmentLimits()
	obj, ok := r.object(raw, "the attachment limits", "defaults are used")
	if !ok {
		return l
	}
	r.field(obj, "per_file", "the per-file attachment limit", &l.PerFile)
	r.field(obj, "per_reply", "the per-reply attachment limit", &l.PerReply)
	if err := ValidateAttachmentLimits(l); err != nil {
		r.notef("the attachment limits were not valid (%v); defaults are used", err)
		return DefaultAttachmentLimits()
	}
	return l
}
