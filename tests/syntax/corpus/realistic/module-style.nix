{ config, lib, pkgs, ... }:
with lib;
let
  cfg = config.services.example;
  settingsFormat = pkgs.formats.json { };
in {
  options.services.example = {
    enable = mkEnableOption "the example service";
    port = mkOption {
      type = types.port;
      default = 8080;
      description = "Port to listen on.";
    };
    settings = mkOption {
      type = settingsFormat.type;
      default = { };
    };
  };
  config = mkIf cfg.enable {
    systemd.services.example = {
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      serviceConfig = {
        ExecStart = "${pkgs.example}/bin/example --port ${toString cfg.port}";
        DynamicUser = true;
        Restart = "always";
      };
    };
    networking.firewall.allowedTCPPorts = optional (cfg.port != 0) cfg.port;
    environment.etc."example/config.json".source = settingsFormat.generate "config.json" cfg.settings;
    assertions = [
      { assertion = cfg.port > 0 && cfg.port < 65536; message = "invalid port"; }
    ];
  };
}
