<?php
/**
 * Settings → Parcours: the server's address, the property id, the options, and a "test
 * connection" that fetches the property's script from the server.
 *
 * @package Parcours
 */

defined( 'ABSPATH' ) || exit;

/**
 * Registers each option with its sanitizer (admin_init).
 */
function parcours_register_settings() {
	register_setting( 'parcours', 'parcours_server', array( 'sanitize_callback' => 'parcours_sanitize_server' ) );
	register_setting( 'parcours', 'parcours_property', array( 'sanitize_callback' => 'parcours_sanitize_property' ) );
	foreach ( array( 'parcours_skip_editors', 'parcours_track_404', 'parcours_track_search' ) as $flag ) {
		register_setting( 'parcours', $flag, array( 'sanitize_callback' => 'parcours_sanitize_flag' ) );
	}
}

/**
 * Adds Settings → Parcours (admin_menu).
 */
function parcours_add_settings_page() {
	add_options_page( __( 'Parcours Analytics', 'parcours' ), __( 'Parcours', 'parcours' ), 'manage_options', 'parcours', 'parcours_render_settings_page' );
}

/**
 * A "Settings" link on the Plugins screen.
 *
 * @param array $links The plugin's action links.
 * @return array
 */
function parcours_settings_link( $links ) {
	$url = admin_url( 'options-general.php?page=parcours' );
	array_unshift( $links, '<a href="' . esc_url( $url ) . '">' . esc_html__( 'Settings', 'parcours' ) . '</a>' );
	return $links;
}

/**
 * Fetches the property's script: the server answers and knows the property.
 *
 * @return array{0: bool, 1: string} Whether it worked, and a sentence saying so.
 */
function parcours_test_connection() {
	$url = parcours_script_url();
	if ( '' === $url ) {
		return array( false, __( 'Enter the server address and the property id first.', 'parcours' ) );
	}
	$response = wp_remote_get( $url, array( 'timeout' => 5 ) );
	if ( is_wp_error( $response ) ) {
		/* translators: %s: the error WordPress reports. */
		return array( false, sprintf( __( 'The server did not answer: %s', 'parcours' ), $response->get_error_message() ) );
	}
	$status = (int) wp_remote_retrieve_response_code( $response );
	if ( 200 === $status ) {
		return array( true, __( 'Connected: the server knows this property and serves its script.', 'parcours' ) );
	}
	if ( 404 === $status ) {
		return array( false, __( 'The server answered, but does not know this property id.', 'parcours' ) );
	}
	/* translators: %d: an HTTP status code. */
	return array( false, sprintf( __( 'The server answered with HTTP status %d.', 'parcours' ), $status ) );
}

/**
 * The settings screen.
 */
function parcours_render_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	$tested = null;
	if ( isset( $_POST['parcours_test'] ) && check_admin_referer( 'parcours_test' ) ) {
		$tested = parcours_test_connection();
	}
	echo '<div class="wrap"><h1>' . esc_html__( 'Parcours Analytics', 'parcours' ) . '</h1>';
	if ( null !== $tested ) {
		printf( '<div class="notice notice-%1$s" id="parcours-test-result"><p>%2$s</p></div>', $tested[0] ? 'success' : 'error', esc_html( $tested[1] ) );
	}
	echo '<form method="post" action="options.php">';
	settings_fields( 'parcours' );
	echo '<table class="form-table" role="presentation">';
	parcours_text_row( 'parcours_server', __( 'Server address', 'parcours' ), __( 'Where Parcours runs, such as https://stats.example.com.', 'parcours' ) );
	parcours_text_row( 'parcours_property', __( 'Property id', 'parcours' ), __( 'The short code in the snippet Parcours gave you for this site.', 'parcours' ) );
	parcours_flag_row( 'parcours_skip_editors', __( 'Do not count administrators and editors while they are logged in', 'parcours' ) );
	parcours_flag_row( 'parcours_track_404', __( 'Track "page not found" (404) pages, as the page type 404', 'parcours' ) );
	parcours_flag_row( 'parcours_track_search', __( 'Record site searches as a "search" event with the query', 'parcours' ) );
	echo '</table>';
	submit_button();
	echo '</form><form method="post">';
	wp_nonce_field( 'parcours_test' );
	submit_button( __( 'Test connection', 'parcours' ), 'secondary', 'parcours_test', false );
	echo '</form></div>';
}

/**
 * A labelled text field of the settings table.
 *
 * @param string $name  The option.
 * @param string $label Its label.
 * @param string $help  A sentence under it.
 */
function parcours_text_row( $name, $label, $help ) {
	printf(
		'<tr><th scope="row"><label for="%1$s">%2$s</label></th><td><input type="text" class="regular-text" id="%1$s" name="%1$s" value="%3$s"><p class="description">%4$s</p></td></tr>',
		esc_attr( $name ),
		esc_html( $label ),
		esc_attr( parcours_option( $name ) ),
		esc_html( $help )
	);
}

/**
 * A labelled checkbox of the settings table.
 *
 * @param string $name  The option.
 * @param string $label Its label.
 */
function parcours_flag_row( $name, $label ) {
	printf(
		'<tr><th scope="row"></th><td><label for="%1$s"><input type="checkbox" id="%1$s" name="%1$s" value="1"%2$s> %3$s</label></td></tr>',
		esc_attr( $name ),
		checked( '1', parcours_option( $name ), false ),
		esc_html( $label )
	);
}
