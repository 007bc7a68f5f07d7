// Package assets bundles agentdesk's icons and translations with go:embed.
// The PNG icons are drawn by gen.go (go generate ./assets); the
// translations are fyne lang JSON files, one per language.
package assets

import "embed"

//go:generate go run gen.go

// Icon is the application icon (256×256 PNG).
//
//go:embed icon.png
var Icon []byte

// TrayConnected is the tray icon while every enabled server is connected.
//
//go:embed tray_connected.png
var TrayConnected []byte

// TrayDisconnected is the tray icon while servers are unreachable.
//
//go:embed tray_disconnected.png
var TrayDisconnected []byte

// TrayPending is the tray icon while requests wait for an answer.
//
//go:embed tray_pending.png
var TrayPending []byte

// Translations holds translations/<lang>.json for fyne's lang package.
//
//go:embed translations/*.json
var Translations embed.FS
