"""Home Assistant's discovery abbreviations, so `stat_t` reads as `state_topic` everywhere after parsing.

The table follows Home Assistant's MQTT documentation ("Supported abbreviations in MQTT discovery messages").
Unknown keys are left as they are (and later ignored), as Home Assistant does.
"""

from __future__ import annotations

ABBREVIATIONS: dict[str, str] = {
    "act_t": "action_topic", "act_tpl": "action_template", "avty": "availability",
    "avty_mode": "availability_mode", "avty_t": "availability_topic", "avty_tpl": "availability_template",
    "bri_cmd_t": "brightness_command_topic", "bri_cmd_tpl": "brightness_command_template",
    "bri_scl": "brightness_scale", "bri_stat_t": "brightness_state_topic", "bri_val_tpl": "brightness_value_template",
    "cmd_off_tpl": "command_off_template", "cmd_on_tpl": "command_on_template", "cmd_t": "command_topic",
    "cmd_tpl": "command_template", "cmps": "components",
    "curr_temp_t": "current_temperature_topic", "curr_temp_tpl": "current_temperature_template",
    "dev": "device", "dev_cla": "device_class", "e": "encoding", "en": "enabled_by_default",
    "ent_cat": "entity_category", "evt_typ": "event_types", "exp_aft": "expire_after", "frc_upd": "force_update",
    "fx_list": "effect_list", "ic": "icon", "json_attr": "json_attributes",
    "json_attr_t": "json_attributes_topic", "json_attr_tpl": "json_attributes_template",
    "max_temp": "max_temp", "min_temp": "min_temp", "mode_cmd_t": "mode_command_topic",
    "mode_cmd_tpl": "mode_command_template", "mode_stat_t": "mode_state_topic",
    "mode_stat_tpl": "mode_state_template", "o": "origin", "obj_id": "object_id", "off_dly": "off_delay",
    "opt": "optimistic", "ops": "options", "p": "platform",
    "pct_cmd_t": "percentage_command_topic", "pct_cmd_tpl": "percentage_command_template",
    "pct_stat_t": "percentage_state_topic", "pct_val_tpl": "percentage_value_template",
    "pl_avail": "payload_available", "pl_cls": "payload_close", "pl_home": "payload_home",
    "pl_lock": "payload_lock", "pl_not_avail": "payload_not_available", "pl_not_home": "payload_not_home",
    "pl_off": "payload_off", "pl_on": "payload_on", "pl_open": "payload_open", "pl_prs": "payload_press",
    "pl_rst": "payload_reset", "pl_stop": "payload_stop", "pl_unlk": "payload_unlock",
    "pos_clsd": "position_closed", "pos_open": "position_open", "pos_t": "position_topic",
    "pos_tpl": "position_template", "pr_mode_cmd_t": "preset_mode_command_topic",
    "pr_mode_cmd_tpl": "preset_mode_command_template", "pr_mode_stat_t": "preset_mode_state_topic",
    "pr_mode_val_tpl": "preset_mode_value_template", "pr_modes": "preset_modes", "ret": "retain",
    "set_pos_t": "set_position_topic", "set_pos_tpl": "set_position_template", "src_type": "source_type",
    "stat_cla": "state_class", "stat_clsd": "state_closed", "stat_closing": "state_closing",
    "stat_jam": "state_jammed", "stat_locked": "state_locked", "stat_locking": "state_locking",
    "stat_off": "state_off", "stat_on": "state_on", "stat_open": "state_open", "stat_opening": "state_opening",
    "stat_stopped": "state_stopped", "stat_t": "state_topic", "stat_tpl": "state_template",
    "stat_unlocked": "state_unlocked", "stat_unlocking": "state_unlocking", "stat_val_tpl": "state_value_template",
    "sug_dsp_prc": "suggested_display_precision", "sup_clrm": "supported_color_modes",
    "sup_feat": "supported_features", "t": "topic", "temp_cmd_t": "temperature_command_topic",
    "temp_cmd_tpl": "temperature_command_template", "temp_stat_t": "temperature_state_topic",
    "temp_stat_tpl": "temperature_state_template", "temp_unit": "temperature_unit", "uniq_id": "unique_id",
    "unit_of_meas": "unit_of_measurement", "val_tpl": "value_template",
}

DEVICE_ABBREVIATIONS: dict[str, str] = {
    "cns": "connections", "ids": "identifiers", "mf": "manufacturer", "mdl": "model", "mdl_id": "model_id",
    "hw": "hw_version", "sw": "sw_version", "sa": "suggested_area", "sn": "serial_number",
    "cu": "configuration_url",
}

ORIGIN_ABBREVIATIONS: dict[str, str] = {"sw": "sw_version", "url": "support_url"}


def expand(config: dict[str, object], table: dict[str, str] = ABBREVIATIONS) -> dict[str, object]:
    """The same mapping with abbreviated keys spelled out (a full key given too wins over its abbreviation)."""
    out: dict[str, object] = {}
    for key, value in config.items():
        full = table.get(key, key)
        if full not in out or key == full:
            out[full] = value
    return out
