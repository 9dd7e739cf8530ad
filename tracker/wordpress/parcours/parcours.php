<?php
/**
 * Plugin Name:       Parcours Analytics
 * Plugin URI:        https://github.com/parcours/parcours
 * Description:       Cookieless, self-hosted analytics with Parcours: adds the tracking script to every public page, with each page's type, author, categories and tags for topic reports.
 * Version:           0.1.0
 * Requires at least: 6.0
 * Requires PHP:      7.4
 * Author:            Parcours
 * License:           MIT
 * Text Domain:       parcours
 * Domain Path:       /languages
 *
 * @package Parcours
 */

defined( 'ABSPATH' ) || exit;

define( 'PARCOURS_VERSION', '0.1.0' );

require_once __DIR__ . '/includes/options.php';
require_once __DIR__ . '/includes/tracking.php';
require_once __DIR__ . '/includes/settings.php';

add_action(
	'init',
	static function () {
		load_plugin_textdomain( 'parcours', false, dirname( plugin_basename( __FILE__ ) ) . '/languages' );
	}
);
add_action( 'wp_head', 'parcours_print_tracking', 1 );
add_action( 'admin_menu', 'parcours_add_settings_page' );
add_action( 'admin_init', 'parcours_register_settings' );
add_filter( 'plugin_action_links_' . plugin_basename( __FILE__ ), 'parcours_settings_link' );
