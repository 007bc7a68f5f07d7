package ui

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/agentdesk/agentdesk/assets"
)

var loadTranslations = sync.OnceFunc(func() {
	if err := lang.AddTranslationsFS(assets.Translations, "translations"); err != nil {
		fyne.LogError("loading translations", err)
	}
	// Fyne's own Chinese strings are tagged zh-Hans, and a zh_CN system
	// locale resolves to that tag: register ours under it as well, or
	// only Fyne's strings would be translated.
	if zh, err := assets.Translations.ReadFile("translations/zh.json"); err == nil {
		if err := lang.AddTranslationsForLocale(zh, fyne.Locale("zh-Hans")); err != nil {
			fyne.LogError("loading translations", err)
		}
	}
})

// T translates an English UI string into the system language; data fills
// {{.Name}} template fields.
func T(s string, data ...any) string {
	return lang.L(s, data...)
}
