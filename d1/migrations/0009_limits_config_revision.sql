-- Limits, prices and limit settings are cached with the organisation's config_revision too
-- (workers/limits/config-cache.ts): their writes bump it.
CREATE TRIGGER `limits_config_insert` AFTER INSERT ON `limits` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = NEW.`org_id`; END;
--> statement-breakpoint
CREATE TRIGGER `limits_config_delete` AFTER DELETE ON `limits` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = OLD.`org_id`; END;
--> statement-breakpoint
CREATE TRIGGER `limits_config_update` AFTER UPDATE ON `limits` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` IN (NEW.`org_id`, OLD.`org_id`); END;
--> statement-breakpoint
CREATE TRIGGER `model_prices_config_insert` AFTER INSERT ON `model_prices` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = NEW.`org_id`; END;
--> statement-breakpoint
CREATE TRIGGER `model_prices_config_delete` AFTER DELETE ON `model_prices` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = OLD.`org_id`; END;
--> statement-breakpoint
CREATE TRIGGER `model_prices_config_update` AFTER UPDATE ON `model_prices` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` IN (NEW.`org_id`, OLD.`org_id`); END;
--> statement-breakpoint
CREATE TRIGGER `organisations_limit_settings_update` AFTER UPDATE OF `time_zone`, `limit_fail_mode`, `default_model_price` ON `organisations` BEGIN UPDATE `organisations` SET `config_revision` = `config_revision` + 1 WHERE `id` = NEW.`id`; END;
