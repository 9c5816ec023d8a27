// Package kpi is the domain of kpibot: workspaces, plans, metrics, entries,
// periods and progress. It imports nothing of Telegram, Redis or cron.
package kpi
