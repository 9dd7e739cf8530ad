<?php
/**
 * The plugin's options, one place for their names, defaults and validation.
 *
 * @package Parcours
 */

defined( 'ABSPATH' ) || exit;

/**
 * Every option with its default; uninstall.php removes exactly these.
 */
const PARCOURS_OPTIONS = array(
	'parcours_server'         => '',
	'parcours_property'       => '',
	'parcours_skip_editors'   => '1',
	'parcours_track_404'      => '1',
	'parcours_track_search'   => '1',
);

/**
 * An option's value, or its default.
 *
 * @param string $name One of PARCOURS_OPTIONS' keys.
 * @return string
 */
function parcours_option( $name ) {
	return (string) get_option( $name, PARCOURS_OPTIONS[ $name ] );
}

/**
 * The Parcours server's base URL: http(s), no query, no trailing slash; '' when invalid.
 *
 * @param mixed $value What the settings form sent.
 * @return string
 */
function parcours_sanitize_server( $value ) {
	$url = esc_url_raw( trim( (string) $value ), array( 'http', 'https' ) );
	$parts = wp_parse_url( $url );
	if ( '' === $url || empty( $parts['host'] ) || isset( $parts['query'] ) || isset( $parts['fragment'] ) ) {
		if ( '' !== trim( (string) $value ) ) {
			add_settings_error( 'parcours_server', 'parcours_server', __( 'The server address must be an http:// or https:// URL, such as https://stats.example.com.', 'parcours' ) );
		}
		return '';
	}
	return untrailingslashit( $url );
}

/**
 * A property id as Parcours makes them: 1 to 32 lowercase letters and digits.
 *
 * @param mixed $value What the settings form sent.
 * @return string
 */
function parcours_sanitize_property( $value ) {
	$id = strtolower( trim( (string) $value ) );
	if ( '' !== $id && ! preg_match( '/^[a-z0-9]{1,32}$/', $id ) ) {
		add_settings_error( 'parcours_property', 'parcours_property', __( 'The property id is the short code in your snippet, letters and digits only.', 'parcours' ) );
		return '';
	}
	return $id;
}

/**
 * A checkbox: '1' when ticked, '0' otherwise.
 *
 * @param mixed $value What the settings form sent.
 * @return string
 */
function parcours_sanitize_flag( $value ) {
	return empty( $value ) ? '0' : '1';
}

/**
 * The tracker's URL for the configured server and property; '' until both are set.
 *
 * @return string
 */
function parcours_script_url() {
	$server   = parcours_option( 'parcours_server' );
	$property = parcours_option( 'parcours_property' );
	return ( '' === $server || '' === $property ) ? '' : $server . '/js/' . rawurlencode( $property ) . '.js';
}
