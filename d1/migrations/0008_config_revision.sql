-- The proxy's cached records are reused while their organisation's config_revision has not
-- moved; every write that changes what they hold bumps it here, whoever makes the write.
ALTER TABLE `organisations` ADD `config_revision` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
CREATE TRIGGER `virtual_keys_config_insert` AFTER INSERT ON `virtual_keys` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = NEW.`org_id`; END;
--> statement-breakpoint
CREATE TRIGGER `virtual_keys_config_delete` AFTER DELETE ON `virtual_keys` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = OLD.`org_id`; END;
--> statement-breakpoint
CREATE TRIGGER `virtual_keys_config_update` AFTER UPDATE OF `org_id`, `kind`, `owner_user_id`, `provider_key_id`, `connection_proxy_id`, `token_hash`, `expires_at`, `revoked_at` ON `virtual_keys` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` IN (NEW.`org_id`, OLD.`org_id`); END;
--> statement-breakpoint
CREATE TRIGGER `users_config_insert` AFTER INSERT ON `users` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = NEW.`org_id`; END;
--> statement-breakpoint
CREATE TRIGGER `users_config_delete` AFTER DELETE ON `users` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = OLD.`org_id`; END;
--> statement-breakpoint
CREATE TRIGGER `users_config_update` AFTER UPDATE OF `org_id`, `status` ON `users` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` IN (NEW.`org_id`, OLD.`org_id`); END;
--> statement-breakpoint
CREATE TRIGGER `team_members_config_insert` AFTER INSERT ON `team_members` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = NEW.`org_id`; END;
--> statement-breakpoint
CREATE TRIGGER `team_members_config_delete` AFTER DELETE ON `team_members` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = OLD.`org_id`; END;
--> statement-breakpoint
CREATE TRIGGER `team_members_config_update` AFTER UPDATE ON `team_members` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` IN (NEW.`org_id`, OLD.`org_id`); END;
--> statement-breakpoint
CREATE TRIGGER `llm_proxies_config_insert` AFTER INSERT ON `llm_proxies` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = NEW.`org_id`; END;
--> statement-breakpoint
CREATE TRIGGER `llm_proxies_config_delete` AFTER DELETE ON `llm_proxies` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = OLD.`org_id`; END;
--> statement-breakpoint
CREATE TRIGGER `llm_proxies_config_update` AFTER UPDATE ON `llm_proxies` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` IN (NEW.`org_id`, OLD.`org_id`); END;
--> statement-breakpoint
CREATE TRIGGER `llm_proxy_teams_config_insert` AFTER INSERT ON `llm_proxy_teams` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = NEW.`org_id`; END;
--> statement-breakpoint
CREATE TRIGGER `llm_proxy_teams_config_delete` AFTER DELETE ON `llm_proxy_teams` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = OLD.`org_id`; END;
--> statement-breakpoint
CREATE TRIGGER `llm_proxy_teams_config_update` AFTER UPDATE ON `llm_proxy_teams` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` IN (NEW.`org_id`, OLD.`org_id`); END;
--> statement-breakpoint
CREATE TRIGGER `provider_keys_config_insert` AFTER INSERT ON `provider_keys` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = NEW.`org_id`; END;
--> statement-breakpoint
CREATE TRIGGER `provider_keys_config_delete` AFTER DELETE ON `provider_keys` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = OLD.`org_id`; END;
--> statement-breakpoint
CREATE TRIGGER `provider_keys_config_update` AFTER UPDATE OF `org_id`, `provider`, `secret_ciphertext`, `base_url` ON `provider_keys` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` IN (NEW.`org_id`, OLD.`org_id`); END;
