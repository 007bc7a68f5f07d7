package complete

import (
	"bufio"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/agentdesk/agentdesk/profiles"
	"github.com/agentdesk/agentdesk/profiles/limits"
)

// ToolKind tells commands from skills.
type ToolKind int

const (
	// KindCommand is a command or prompt file (.md) in the tool's
	// commands folder.
	KindCommand ToolKind = iota + 1
	// KindSkill is a folder with a SKILL.md in the tool's skills folder.
	KindSkill
)

// String returns "command" or "skill", the %type% of templates.
func (k ToolKind) String() string {
	if k == KindSkill {
		return "skill"
	}
	return "command"
}

// ToolFolders are where one agent keeps its commands and skills, relative
// to the project folder.
type ToolFolders struct {
	// Key names the tool ("claude", "codex", … or "default").
	Key      string
	Commands string
	Skills   string
}

// DefaultTools are the folders used when the client is unknown, or its own
// folders do not exist in the project: the generic .agent layout.
var DefaultTools = ToolFolders{Key: "default", Commands: ".agent/workflows", Skills: ".agent/skills"}

// toolFolders maps an MCP client name (as the client reports it in its
// MCP initialize call, compared case-insensitively) to its folders. The
// table follows the Flutter client's mcp_tool_index_provider.dart, except
// that Claude Code, CodeBuddy, Crush, Gemini CLI and Qoder list their
// whole commands folder: the Flutter table points at its "opsx" subfolder
// only, whose commands are still found since the listing is recursive.
var toolFolders = map[string]ToolFolders{
	"amazon q developer":   {"amazonq", ".amazonq/prompts", ".amazonq/skills"},
	"antigravity":          {"agent", ".agent/workflows", ".agent/skills"},
	"antigravity-client":   {"agent", ".agent/workflows", ".agent/skills"},
	"auggie (augment cli)": {"augment", ".augment/commands", ".augment/skills"},
	"claude code":          {"claude", ".claude/commands", ".claude/skills"},
	"cline":                {"cline", ".clinerules/workflows", ".cline/skills"},
	"codebuddy":            {"codebuddy", ".codebuddy/commands", ".codebuddy/skills"},
	"codex":                {"codex", ".codex/prompts", ".codex/skills"},
	"continue":             {"continue", ".continue/prompts", ".continue/skills"},
	"costrict":             {"cospec", ".cospec/openspec/commands", ".cospec/skills"},
	"crush":                {"crush", ".crush/commands", ".crush/skills"},
	"cursor":               {"cursor", ".cursor/commands", ".cursor/skills"},
	"factory droid":        {"factory", ".factory/commands", ".factory/skills"},
	"gemini cli":           {"gemini", ".gemini/commands", ".gemini/skills"},
	"github copilot":       {"github", ".github/prompts", ".github/skills"},
	// VS Code reports itself for Copilot's agent mode.
	"visual studio code": {"github", ".github/prompts", ".github/skills"},
	"iflow":              {"iflow", ".iflow/commands", ".iflow/skills"},
	"kilo code":          {"kilocode", ".kilocode/workflows", ".kilocode/skills"},
	"opencode":           {"opencode", ".opencode/command", ".opencode/skills"},
	"qoder":              {"qoder", ".qoder/commands", ".qoder/skills"},
	"qwen code":          {"qwen", ".qwen/commands", ".qwen/skills"},
	"roocode":            {"roo", ".roo/commands", ".roo/skills"},
	"windsurf":           {"windsurf", ".windsurf/workflows", ".windsurf/skills"},
}

// FoldersFor returns the command and skill folders of the client named
// mcpClient in project root: its own when it is known and at least one of
// them exists there, the generic .agent ones otherwise (as the Flutter
// client resolves them).
func FoldersFor(mcpClient, root string) ToolFolders {
	f, ok := toolFolders[strings.ToLower(strings.TrimSpace(mcpClient))]
	if !ok {
		return DefaultTools
	}
	if isDir(filepath.Join(root, filepath.FromSlash(f.Commands))) || isDir(filepath.Join(root, filepath.FromSlash(f.Skills))) {
		return f
	}
	return DefaultTools
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// Tool is one command or skill an agent can run.
type Tool struct {
	Kind ToolKind
	// Name is what follows "/": the file name without .md for a command,
	// the folder name for a skill.
	Name string
	// Path is the defining file, relative to the project folder,
	// slash-separated (the command's .md, or the skill's SKILL.md).
	Path string
	// Description comes from the file's front matter ("description:"),
	// when it has one.
	Description string
}

// Bounds on what a tool listing reads.
const (
	maxTools       = 2000
	maxToolDepth   = 8
	maxFrontMatter = 8 << 10
	maxDescLen     = 300
)

// ListTools lists the commands and skills of the client mcpClient in root,
// commands first, each sorted by name. Missing folders list nothing;
// links are not followed.
func ListTools(ctx context.Context, mcpClient, root string) ([]Tool, ToolFolders, error) {
	if err := CheckRoot(root); err != nil {
		return nil, ToolFolders{}, err
	}
	f := FoldersFor(mcpClient, root)
	var cmds, skills []Tool
	cdir := filepath.Join(root, filepath.FromSlash(f.Commands))
	_ = filepath.WalkDir(cdir, func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil || len(cmds) >= maxTools {
			return filepath.SkipAll
		}
		if err != nil { // a folder that cannot be read lists nothing
			if d != nil && d.IsDir() && p != cdir {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(cdir, p)
		if d.IsDir() {
			if p != cdir && strings.Count(filepath.ToSlash(rel), "/") >= maxToolDepth {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.EqualFold(filepath.Ext(p), ".md") {
			return nil
		}
		name := strings.TrimSuffix(d.Name(), filepath.Ext(d.Name()))
		if strings.TrimSpace(name) == "" {
			return nil
		}
		cmds = append(cmds, Tool{Kind: KindCommand, Name: name, Path: relSlash(root, p), Description: description(p)})
		return nil
	})
	sdir := filepath.Join(root, filepath.FromSlash(f.Skills))
	if des, err := os.ReadDir(sdir); err == nil {
		for _, d := range des {
			if !d.IsDir() || len(skills) >= maxTools {
				continue
			}
			md := filepath.Join(sdir, d.Name(), "SKILL.md")
			if st, err := os.Stat(md); err != nil || !st.Mode().IsRegular() {
				continue
			}
			skills = append(skills, Tool{Kind: KindSkill, Name: d.Name(), Path: relSlash(root, md), Description: description(md)})
		}
	}
	byName := func(a, b Tool) int { return strings.Compare(a.Name, b.Name) }
	slices.SortFunc(cmds, byName)
	slices.SortFunc(skills, byName)
	return append(cmds, skills...), f, ctx.Err()
}

func relSlash(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(rel)
}

// description reads "description:" from a file's YAML front matter.
func description(file string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, maxFrontMatter))
	if !sc.Scan() || strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\uFEFF")) != "---" {
		return ""
	}
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "---" {
			return ""
		}
		if v, ok := strings.CutPrefix(line, "description:"); ok {
			v = strings.TrimSpace(v)
			if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
				v = v[1 : len(v)-1]
			}
			return limits.Prefix(strings.Join(strings.Fields(v), " "), maxDescLen)
		}
	}
	return ""
}

// Show says which tools the "/" list offers.
type Show string

// Values of Show: the settings' values (profiles.Completion.Show), typed.
const (
	// ShowCommands lists commands only (the Flutter client's default).
	ShowCommands Show = profiles.ShowCommands
	// ShowSkills lists skills only.
	ShowSkills Show = profiles.ShowSkills
	// ShowBoth lists commands, then skills.
	ShowBoth Show = profiles.ShowBoth
)

// Valid reports whether s is one of the Show values.
func (s Show) Valid() bool { return s == ShowCommands || s == ShowSkills || s == ShowBoth }

// ToolMatch is a tool matched by a query.
type ToolMatch struct {
	Tool
	Score int
	// Positions are byte offsets in Name of the matched characters.
	Positions []int
}

// MatchTools filters tools by show and ranks them by fuzzy match of q on
// their names (all of them, in order, for an empty query); at most n.
func MatchTools(tools []Tool, show Show, q string, n int) []ToolMatch {
	if !show.Valid() {
		show = ShowCommands
	}
	q = strings.ToLower(strings.TrimSpace(limits.Prefix(q, MaxQueryLen)))
	var out []ToolMatch
	var m matcher
	for _, t := range tools {
		if (show == ShowCommands && t.Kind != KindCommand) || (show == ShowSkills && t.Kind != KindSkill) {
			continue
		}
		if q == "" {
			out = append(out, ToolMatch{Tool: t})
			continue
		}
		e := newEntry(t.Name, false)
		if s, ok := m.scoreEntry(q, &e); ok {
			out = append(out, ToolMatch{Tool: t, Score: s, Positions: slices.Clone(m.best)})
		}
	}
	if q != "" {
		slices.SortStableFunc(out, func(a, b ToolMatch) int {
			if a.Score != b.Score {
				return b.Score - a.Score
			}
			if a.Kind != b.Kind {
				return int(a.Kind) - int(b.Kind)
			}
			return strings.Compare(a.Name, b.Name)
		})
	}
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// Default templates, as the Flutter client has them: what picking a
// command or skill inserts. %name%, %path% and %type% are filled in. They
// are the settings' defaults (package profiles).
const (
	// DefaultCommandTemplate is inserted for a picked command.
	DefaultCommandTemplate = profiles.DefaultCommandTemplate
	// DefaultSkillTemplate is inserted for a picked skill.
	DefaultSkillTemplate = profiles.DefaultSkillTemplate
)

// FillTemplate fills %name%, %path% and %type% in a template.
func FillTemplate(template string, t Tool) string {
	return strings.NewReplacer("%name%", t.Name, "%path%", t.Path, "%type%", t.Kind.String()).Replace(template)
}
