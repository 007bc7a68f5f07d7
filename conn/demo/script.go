package demo

// scripts holds each demo server's agent script: Markdown, a work report,
// a request that times out, and one that alex answers first.
var scripts = [2][]step{
	{ // Demo Home
		{question: true, agent: "claude", model: "claude-sonnet-4.5", client: "Claude Code", dir: "/home/you/src/garden-planner", timeout: 900,
			text: "I found two ways to store the watering schedule:\n\n1. **SQLite** table, one row per plant\n2. A `schedule.json` beside the photos\n\nWhich one should I use?"},
		{question: false, agent: "claude", model: "claude-sonnet-4.5", client: "Claude Code", dir: "/home/you/src/garden-planner", timeout: 900,
			text: "## Done: dark mode\n\n- Added a theme toggle in *Settings*\n- Updated 12 screenshots\n- All 148 tests pass\n\nDetails: [the changelog](https://example.com/changelog)"},
		{question: true, agent: "claude", model: "claude-haiku-4.5", client: "Claude Code", dir: "/home/you/src/dotfiles", timeout: 30,
			text: "May I delete the `tmp/` folder? I will stop waiting in 30 seconds."},
		{question: true, agent: "windsurf", model: "gpt-5", client: "Windsurf", dir: "/home/you/src/garden-planner", timeout: 900,
			text: "Tests for `moisture.go` are flaky on CI. Should I **retry** them or **fix** the timing?", peerAnswer: "Fix the timing, please. — alex"},
	},
	{ // Demo Work
		{question: true, agent: "cursor", model: "gpt-5", client: "Cursor", dir: "/work/billing-api", timeout: 900,
			text: "Deploy **v2.3.1** to *staging* now?\n\n```\n3 migrations pending\n```"},
		{question: true, agent: "claude", model: "claude-opus-4.1", client: "Claude Code", dir: "/work/billing-api", timeout: 900,
			text: "Which branch should the hotfix go to: `release/2.3` or `main`?", peerAnswer: "release/2.3, then merge forward. — alex"},
		{question: false, agent: "cursor", model: "gpt-5", client: "Cursor", dir: "/work/infra", timeout: 900,
			text: "Migrated **4 services** to Go 1.26.\n\n| service | status |\n|---|---|\n| auth | ok |\n| billing | ok |\n\nSee PR #42."},
		{question: true, agent: "claude", model: "claude-haiku-4.5", client: "Claude Code", dir: "/work/infra", timeout: 20,
			text: "Rotate the staging TLS certificate now? (I give up after 20 seconds.)"},
	},
}
