#!/bin/bash
# chef-postfix-server: sous-chefs/postfix's main.cf.erb and master.cf.erb rendered (ruby erb,
# trim mode '-') with the cookbook's own libraries/helpers.rb evaluated against a stub node, as
# the postfix_server resource leaves them on a Debian node with the resource's default flags:
# hostname web01, fqdn web01.example.com, domain example.com, db_type hash;
# main_settings inet_interfaces=all from resources/server.rb; mail_type master.
set -euo pipefail
G=$1 C=$2 O=$3
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
git -C "$G" show "$C:libraries/helpers.rb" > "$T/helpers.rb"
git -C "$G" show "$C:templates/main.cf.erb" > "$T/main.cf.erb"
git -C "$G" show "$C:templates/master.cf.erb" > "$T/master.cf.erb"
(cd "$T" && ruby -rerb -e '
require "./helpers.rb"
class Stub
  include PostfixCookbook::Helpers
  def node; { "hostname" => "web01", "fqdn" => "web01.example.com", "domain" => "example.com", "platform" => "debian", "platform_family" => "debian", "platform_version" => "12" }; end
  def platform?(*p); p.include?("debian"); end
  def platform_family?(*p); p.include?("debian"); end
  def render(file, vars); vars.each { |k, v| instance_variable_set("@#{k}", v) }; ERB.new(File.read(file), trim_mode: "-").result(binding); end
end
s = Stub.new
db = s.postfix_db_type
conf = s.postfix_path(:conf_dir)
main = s.postfix_default_main_settings(_conf_dir: conf, db_type: db)
main.merge!("inet_interfaces" => "all")
main = s.postfix_derived_main_settings(main, conf_dir: conf, db_type: db, use_procmail: false, use_alias_maps: false,
  use_transport_maps: false, use_virtual_aliases: false, use_virtual_aliases_domains: false, use_relay_restrictions_maps: false)
File.write("main.cf", s.render("main.cf.erb", settings: main, mail_type: "master"))
File.write("master.cf", Stub.new.render("master.cf.erb", settings: s.postfix_default_master_settings))
')
cp "$T/main.cf" "$T/master.cf" "$O/"
