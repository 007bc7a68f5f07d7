package complete_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/conn/complete"
	"github.com/agentdesk/agentdesk/conn/complete/completetest"
)

// Every client in the table finds its own commands and skills in a
// generated project, and falls back to .agent when its folders are absent.
func TestToolFoldersPerClient(t *testing.T) {
	cases := []struct {
		client, commands, skills string
	}{
		{"Claude Code", ".claude/commands", ".claude/skills"},
		{"claude code", ".claude/commands", ".claude/skills"},
		{"Codex", ".codex/prompts", ".codex/skills"},
		{"GitHub Copilot", ".github/prompts", ".github/skills"},
		{"Visual Studio Code", ".github/prompts", ".github/skills"},
		{"Cursor", ".cursor/commands", ".cursor/skills"},
		{"Windsurf", ".windsurf/workflows", ".windsurf/skills"},
		{"Cline", ".clinerules/workflows", ".cline/skills"},
		{"Auggie (Augment CLI)", ".augment/commands", ".augment/skills"},
		{"Amazon Q Developer", ".amazonq/prompts", ".amazonq/skills"},
		{"Gemini CLI", ".gemini/commands", ".gemini/skills"},
		{"OpenCode", ".opencode/command", ".opencode/skills"},
		{"Kilo Code", ".kilocode/workflows", ".kilocode/skills"},
		{"Qwen Code", ".qwen/commands", ".qwen/skills"},
		{"RooCode", ".roo/commands", ".roo/skills"},
		{"Continue", ".continue/prompts", ".continue/skills"},
		{"CoStrict", ".cospec/openspec/commands", ".cospec/skills"},
		{"Factory Droid", ".factory/commands", ".factory/skills"},
		{"iFlow", ".iflow/commands", ".iflow/skills"},
		{"Qoder", ".qoder/commands", ".qoder/skills"},
		{"CodeBuddy", ".codebuddy/commands", ".codebuddy/skills"},
		{"Crush", ".crush/commands", ".crush/skills"},
		{"Antigravity", ".agent/workflows", ".agent/skills"},
	}
	for _, tc := range cases {
		dir := t.TempDir()
		completetest.WriteTree(t, dir, map[string]string{
			tc.commands + "/deploy.md":      "---\ndescription: \"Ship   it\"\n---\nSteps…",
			tc.commands + "/nested/lint.md": "no front matter",
			tc.commands + "/notes.txt":      "not a command",
			tc.skills + "/review/SKILL.md":  "---\nname: review\ndescription: Review a diff\n---\n",
			tc.skills + "/broken/README.md": "a folder without SKILL.md is not a skill",
			".agent/workflows/generic.md":   "",
		})
		tools, f, err := complete.ListTools(context.Background(), tc.client, dir)
		if err != nil {
			t.Fatalf("%s: %v", tc.client, err)
		}
		if f.Commands != tc.commands || f.Skills != tc.skills {
			t.Errorf("%s: folders %+v", tc.client, f)
		}
		got := []string{}
		for _, tl := range tools {
			got = append(got, tl.Kind.String()+":"+tl.Name+"@"+tl.Path+"#"+tl.Description)
		}
		want := []string{
			"command:deploy@" + tc.commands + "/deploy.md#Ship it",
			"command:lint@" + tc.commands + "/nested/lint.md#",
			"skill:review@" + tc.skills + "/review/SKILL.md#Review a diff",
		}
		if tc.commands == ".agent/workflows" {
			want = append([]string{"command:deploy@.agent/workflows/deploy.md#Ship it", "command:generic@.agent/workflows/generic.md#"}, want[1:]...)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", tc.client, got, want)
		}
	}
}

func TestToolFoldersFallBack(t *testing.T) {
	dir := t.TempDir()
	completetest.WriteTree(t, dir, map[string]string{".agent/workflows/generic.md": "", ".agent/skills/s/SKILL.md": ""})
	for _, client := range []string{"", "Some New Agent", "Claude Code" /* its folders are absent */} {
		tools, f, err := complete.ListTools(context.Background(), client, dir)
		if err != nil || f != complete.DefaultTools || len(tools) != 2 || tools[0].Name != "generic" || tools[1].Kind != complete.KindSkill {
			t.Errorf("%q: %+v %+v %v", client, f, tools, err)
		}
	}
	if _, _, err := complete.ListTools(context.Background(), "Codex", "/no/such/project"); !errors.Is(err, complete.ErrUnavailable) {
		t.Errorf("missing project: err = %v", err)
	}
	// Links are not followed: a loop in the commands folder cannot hang it.
	if err := os.Symlink(filepath.Join(dir, ".agent"), filepath.Join(dir, ".agent/workflows/loop")); err != nil {
		t.Fatal(err)
	}
	if tools, _, err := complete.ListTools(context.Background(), "", dir); err != nil || len(tools) != 2 {
		t.Errorf("with a link loop: %v %v", tools, err)
	}
}

func TestMatchToolsAndTemplates(t *testing.T) {
	tools := []complete.Tool{
		{Kind: complete.KindCommand, Name: "deploy", Path: ".claude/commands/deploy.md"},
		{Kind: complete.KindCommand, Name: "opsx-apply", Path: ".claude/commands/opsx/opsx-apply.md"},
		{Kind: complete.KindSkill, Name: "deep-review", Path: ".claude/skills/deep-review/SKILL.md"},
	}
	names := func(ms []complete.ToolMatch) string {
		var s []string
		for _, m := range ms {
			s = append(s, m.Name)
		}
		return strings.Join(s, ",")
	}
	if got := names(complete.MatchTools(tools, complete.ShowCommands, "", 0)); got != "deploy,opsx-apply" {
		t.Errorf("commands only: %s", got)
	}
	if got := names(complete.MatchTools(tools, complete.ShowSkills, "", 0)); got != "deep-review" {
		t.Errorf("skills only: %s", got)
	}
	if got := names(complete.MatchTools(tools, complete.ShowBoth, "dep", 0)); got != "deploy,deep-review" {
		t.Errorf("both, dep: %s", got)
	}
	if got := names(complete.MatchTools(tools, complete.ShowBoth, "apply", 1)); got != "opsx-apply" {
		t.Errorf("apply: %s", got)
	}
	if got := names(complete.MatchTools(tools, complete.Show("bogus"), "", 0)); got != "deploy,opsx-apply" {
		t.Errorf("an invalid Show falls back to commands: %s", got)
	}
	got := complete.FillTemplate(complete.DefaultCommandTemplate, tools[0])
	if !strings.Contains(got, "Command /deploy triggered. Workflow file: [.claude/commands/deploy.md].") || strings.Contains(got, "%") {
		t.Errorf("command template = %q", got)
	}
	got = complete.FillTemplate("%type% %name% at %path% (%name%)", tools[2])
	if got != "skill deep-review at .claude/skills/deep-review/SKILL.md (deep-review)" {
		t.Errorf("custom template = %q", got)
	}
	if !strings.Contains(complete.FillTemplate(complete.DefaultSkillTemplate, tools[2]), "Skill /deep-review invoked. Definition source: [.claude/skills/deep-review/SKILL.md].") {
		t.Error("skill template")
	}
}

func TestActiveTokenAndApply(t *testing.T) {
	cases := []struct {
		text    string
		caret   int
		ok      bool
		trigger rune
		query   string
		start   int
		end     int
	}{
		{"@", 1, true, '@', "", 0, 1},
		{"@mgr", 4, true, '@', "mgr", 0, 4},
		{"see @conn/mgr", 13, true, '@', "conn/mgr", 4, 13},
		{"see @mgr tail", 6, true, '@', "m", 4, 8},
		{"line\n/dep", 9, true, '/', "dep", 5, 9},
		{"tab\t/x y", 6, true, '/', "x", 4, 6},
		{"日本 @é", 5, true, '@', "é", 3, 5},
		{"mail me@example.com", 19, false, 0, "", 0, 0},
		{"see http://x/y", 14, false, 0, "", 0, 0},
		{"a/b", 3, false, 0, "", 0, 0},
		{"@mgr", 0, false, 0, "", 0, 0},  // caret before the trigger
		{"@mgr ", 5, false, 0, "", 0, 0}, // caret after the word
		{"", 0, false, 0, "", 0, 0},
		{"@x", 9, false, 0, "", 0, 0}, // caret out of range
		{"(@x", 3, false, 0, "", 0, 0},
	}
	for _, tc := range cases {
		tok, ok := complete.ActiveToken(tc.text, tc.caret)
		if ok != tc.ok || (ok && (tok.Trigger != tc.trigger || tok.Query != tc.query || tok.Start != tc.start || tok.End != tc.end)) {
			t.Errorf("ActiveToken(%q, %d) = %+v %v", tc.text, tc.caret, tok, ok)
		}
	}
	applies := []struct {
		text   string
		caret  int
		insert string
		want   string
		caretW int
	}{
		{"see @mg", 7, complete.PathInsert(complete.Match{Path: "conn/manager.go"}), "see @conn/manager.go ", 21},
		{"see @mg tail", 6, complete.PathInsert(complete.Match{Path: "conn", Dir: true}), "see @conn/ tail", 10},
		{"日本 /de", 5, "/deploy ", "日本 /deploy ", 11},
	}
	for _, a := range applies {
		tok, ok := complete.ActiveToken(a.text, a.caret)
		if !ok {
			t.Fatalf("no token in %q", a.text)
		}
		got, caret := complete.Apply(a.text, tok, a.insert)
		if got != a.want || caret != a.caretW {
			t.Errorf("Apply(%q) = %q, %d; want %q, %d", a.text, got, caret, a.want, a.caretW)
		}
	}
	if got, caret := complete.Apply("abc", complete.Token{Start: 2, End: 9}, "x"); got != "abc" || caret != 3 {
		t.Errorf("Apply with a stale token = %q %d", got, caret)
	}
}
